/**
 * Which addresses CLI2API may connect to on a client's behalf (remote images): public
 * unicast only. Loopback, private, link-local (cloud metadata at 169.254.169.254), CGNAT
 * (100.64/10, e.g. 100.100.100.200), unique-local IPv6 (fd00:ec2::254), multicast, reserved
 * and documentation ranges are refused, and so are IPv4-mapped/-compatible IPv6 forms of
 * those and the IPv6 transition prefixes (NAT64, 6to4, Teredo) that can reach IPv4 inside.
 * The ranges are ipaddr.js's, not hand-written here.
 */
import ipaddr from 'ipaddr.js';

/** Decides whether a connection may go to `address` (an IP, after DNS) on `port`. */
export type AddressPolicy = (address: string, port: number) => boolean;

/** True for a public unicast address; false for anything else, unparsable input included. */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(bare)) return false;
  // process(): ::ffff:127.0.0.1 and ::127.0.0.1 are judged as the IPv4 address they carry.
  return ipaddr.process(bare).range() === 'unicast';
}

export const publicAddressesOnly: AddressPolicy = (address) => isPublicAddress(address);
