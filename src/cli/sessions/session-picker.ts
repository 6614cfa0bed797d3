/**
 * Which process serves a request, in order:
 *  1. the held process whose tool calls the request's last turn answers (the answers are sent);
 *  2. the idle process that holds exactly the conversation the request continues (the new
 *     turn is sent);
 *  3. for a new conversation, a prewarmed process (system prompt and tools sent, then the turn);
 *  4. a cold start, with the history written as a transcript the CLI resumes.
 * A process is never given a conversation other than the one it holds. Prewarming (the
 * pool's refill) lives here too, since it starts processes the same way.
 */
import { toolResultsOf } from '../../core/conversation';
import type { ModelRequest } from '../../core/model-request';
import type { Settings } from '../../config/settings';
import type { Logger } from '../../util/logger';
import { cliNotFound } from '../cli-errors';
import { conversationFingerprint } from '../history/fingerprint';
import { claudeConfigDir, type WrittenTranscript, writeTranscript } from '../history/transcript';
import type { ClaudeProcess } from '../process/claude-process';
import { type ClaudeBinary, CliNotFoundError } from '../process/locate';
import { spawnFlags, withDefaults } from '../process/spawn-flags';
import type { Spawner } from '../process/spawner';
import { ToolBridge } from '../tools/tool-bridge';
import { MCP_SERVER, ToolSet } from '../tools/tool-set';
import type { HeldSessions } from './held-sessions';
import type { Session } from './session';
import type { SessionPool } from './session-pool';

export interface PickedSession {
  session: Session;
  /** The history file a cold start resumed; removed once the run ends. */
  transcript?: WrittenTranscript;
}

export class SessionPicker {
  private closed = false;

  constructor(
    private readonly settings: () => Settings,
    private readonly logger: Logger,
    private readonly spawner: Spawner,
    private readonly pool: SessionPool,
    private readonly held: HeldSessions,
  ) {}

  close(): void {
    this.closed = true;
  }

  reopen(): void {
    this.closed = false;
  }

  /** A process that has been sent this request's turn (and, when new, its system prompt and tools). */
  async pick(req: ModelRequest, tools: ToolSet): Promise<PickedSession> {
    const last = req.turns[req.turns.length - 1]!;
    const answersToolCalls = toolResultsOf(last).length > 0;
    const continued = answersToolCalls ? this.continueHeld(req) : this.continueConversation(req);
    if (continued) return { session: continued };
    const binary = await this.spawner.binary().catch((e: unknown) => {
      throw cliNotFound(e instanceof CliNotFoundError ? e.message : String(e));
    });
    const flags = spawnFlags(req, this.settings());
    const spawnKey = this.spawner.spawnKey(binary, flags);
    const systemPrompt = [req.system, tools.systemAddendum].filter(Boolean).join('\n\n');
    const warm = req.turns.length === 1 ? this.takeWarm(spawnKey) : undefined;
    if (warm) {
      initialize(warm, systemPrompt, tools);
      sendUserTurn(warm.child, last.content);
      return { session: warm };
    }
    // Cold: a turn that answers tool calls goes into the transcript whole; otherwise the new user turn goes over stdin.
    const history = tools.turnsIn(answersToolCalls ? req.turns : req.turns.slice(0, -1));
    const transcript =
      history.length > 0
        ? await writeTranscript(claudeConfigDir(this.spawner.env(flags)), this.spawner.cwd(), history, answersToolCalls)
        : undefined;
    const child = this.spawner.spawn(binary, flags, transcript?.sessionId);
    const session: Session = { child, bridge: new ToolBridge(child), tools, spawnKey };
    initialize(session, systemPrompt, tools);
    sendUserTurn(child, answersToolCalls && transcript ? [] : last.content);
    return { session, transcript };
  }

  /** Starts `poolSize` processes for the default model, so the next requests skip the CLI start. */
  async prewarm(): Promise<void> {
    const s = this.settings();
    if (this.closed || s.poolSize === 0) return;
    let binary: ClaudeBinary;
    try {
      binary = await this.spawner.binary();
    } catch {
      return; // reported by /health and the status bar
    }
    const flags = spawnFlags(withDefaults<Pick<ModelRequest, 'model' | 'effort'>>({ model: s.defaultModel }, s), s);
    const spawnKey = this.spawner.spawnKey(binary, flags);
    while (!this.closed && this.pool.freshFor(spawnKey) < s.poolSize) {
      const child = this.spawner.spawn(binary, flags);
      this.pool.addFresh({ child, bridge: new ToolBridge(child), tools: new ToolSet({}), spawnKey });
    }
  }

  /** The idle process that holds exactly the conversation this request continues (its last answer included). */
  private continueConversation(req: ModelRequest): Session | undefined {
    if (req.turns.length < 2) return undefined;
    const session = this.pool.takeConversation(conversationFingerprint(req, req.turns.slice(0, -1)));
    if (!session) return undefined;
    this.logger.debug(`continuing the conversation held by claude pid=${session.child.pid}`);
    sendUserTurn(session.child, req.turns[req.turns.length - 1]!.content);
    return session;
  }

  /**
   * For a new conversation: a prewarmed process (its start is already done), replaced in the
   * background. A used process is never given a new conversation: the CLI has no clean reset
   * (`/clear` leaves its command transcript in the next user turn).
   */
  private takeWarm(spawnKey: string): Session | undefined {
    const warm = this.pool.takeFresh(spawnKey);
    if (warm) {
      this.logger.debug(`using prewarmed claude pid=${warm.child.pid}`);
      void this.prewarm();
    }
    return warm;
  }

  /** The live process whose pending tool calls the request's last turn answers, with the answers sent. */
  private continueHeld(req: ModelRequest): Session | undefined {
    const last = req.turns[req.turns.length - 1]!;
    const results = toolResultsOf(last);
    const taken = results[0] && this.held.take(results[0].tool_use_id);
    if (!taken) return undefined;
    const { session, toolUseIds } = taken;
    const answersAll =
      toolUseIds.every((id) => results.some((r) => r.tool_use_id === id)) && results.length === toolUseIds.length;
    const onlyResults = last.content.every((b) => b.type === 'tool_result');
    const samePrefix = session.conversation === conversationFingerprint(req, req.turns.slice(0, -1));
    if (!answersAll || !onlyResults || !samePrefix || !session.child.alive) {
      // The client went another way: the held process can never be continued.
      void session.child.kill();
      return undefined;
    }
    void session.bridge.answerInOrder(results); // one at a time, in the client's order (see ToolBridge)
    this.logger.debug(`continued claude pid=${session.child.pid} with ${results.length} tool result(s)`);
    return session;
  }
}

/** Sends the system prompt and tools: possible once, before a process's first turn. */
function initialize(session: Session, systemPrompt: string, tools: ToolSet): void {
  session.tools = tools;
  session.bridge.setTools(tools.mcpTools);
  session.child.send({
    type: 'control_request',
    request_id: 'init',
    request: {
      subtype: 'initialize',
      systemPrompt: [systemPrompt],
      ...(tools.offered ? { sdkMcpServers: [MCP_SERVER] } : {}),
    },
  });
}

function sendUserTurn(child: ClaudeProcess, content: unknown): void {
  child.send({ type: 'user', message: { role: 'user', content }, parent_tool_use_id: null, session_id: '' });
}
