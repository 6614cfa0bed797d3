/** Which addresses a download may reach: public unicast only. */
import assert from 'node:assert/strict';
import { isPublicAddress } from '../../../src/net/address-policy';

describe('address policy', () => {
  it('allows public unicast addresses, IPv4 and IPv6', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '151.101.1.69', '2606:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8'])
      assert.equal(isPublicAddress(a), true, a);
  });

  it('refuses loopback, private, link-local (metadata), CGNAT, unique-local and other special ranges', () => {
    const refused = [
      ['127.0.0.1', 'loopback'],
      ['127.1.2.3', 'loopback'],
      ['::1', 'IPv6 loopback'],
      ['10.0.0.5', 'private'],
      ['172.16.3.4', 'private'],
      ['192.168.1.20', 'private'],
      ['169.254.169.254', 'cloud metadata (link-local)'],
      ['169.254.170.2', 'ECS metadata (link-local)'],
      ['fe80::1', 'IPv6 link-local'],
      ['100.64.0.1', 'CGNAT'],
      ['100.100.100.200', 'Alibaba metadata (CGNAT)'],
      ['192.0.0.192', 'Oracle metadata (reserved)'],
      ['fd00:ec2::254', 'AWS IPv6 metadata (unique-local)'],
      ['fc00::1', 'unique-local'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['255.255.255.255', 'broadcast'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'IPv6 multicast'],
      ['198.18.0.1', 'benchmarking'],
      ['192.0.2.1', 'documentation'],
      ['2001:db8::1', 'IPv6 documentation'],
    ];
    for (const [a, what] of refused) assert.equal(isPublicAddress(a!), false, `${a} (${what})`);
  });

  it('refuses IPv4-mapped and -compatible IPv6 forms of internal addresses, and tunnels to IPv4', () => {
    for (const a of [
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '::ffff:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::7f00:1', // NAT64 to 127.0.0.1
      '2002:7f00:1::', // 6to4 around 127.0.0.1
      '2001::1', // Teredo
    ])
      assert.equal(isPublicAddress(a), false, a);
  });

  it('refuses what is not an address, and takes bracketed IPv6', () => {
    for (const a of ['', 'localhost', 'example.com', '999.1.1.1', '[::1]', '0x7f.1', '2130706433'])
      assert.equal(isPublicAddress(a), false, a);
    assert.equal(isPublicAddress('[2606:4700::1111]'), true);
  });
});
