/**
 * Which process serves a request, in order:
 *  1. the held process of the same tenant whose tool calls the request's last turn answers;
 *  2. the idle process of the same tenant that holds exactly the conversation the request
 *     continues (the new turn is sent);
 *  for a new conversation (one user turn):
 *  3. a warm process of its kind that has finished starting (system prompt and tools sent);
 *  4. an idle process of its kind and tenant, given the same system prompt and tools, that
 *     takes the request as a new conversation (nothing of the old one reaches the model);
 *  5. a warm process of its kind still starting;
 *  6. a cold start, with the history written as a transcript the CLI resumes.
 * Before the turn, a live process gets the request's output limit when its own differs.
 */
import { toolResultsOf } from '../../core/conversation';
import type { ModelRequest } from '../../core/model-request';
import type { Settings } from '../../config/settings';
import type { Logger } from '../../util/logger';
import { cliNotFound } from '../cli-errors';
import { conversationFingerprint } from '../history/fingerprint';
import { claudeConfigDir, type WrittenTranscript, writeTranscript } from '../history/transcript';
import { CliNotFoundError } from '../process/locate';
import { spawnFlags } from '../process/spawn-flags';
import type { SpawnKind, Spawner } from '../process/spawner';
import { ToolBridge } from '../tools/tool-bridge';
import type { ToolSet } from '../tools/tool-set';
import type { HeldSessions } from './held-sessions';
import { newSession, type Session } from './session';
import { beginNewConversation, initialize, sendUserTurn, setOutputLimit, setupKey } from './session-input';
import type { SessionPool } from './session-pool';

/** How the process was found: for the log, and for the tests that check which path a request took. */
export type PickedHow = 'held' | 'continued' | 'warm' | 'reused' | 'starting' | 'cold';

export interface PickedSession {
  session: Session;
  how: PickedHow;
  /** The history file a cold start resumed; removed once the run ends. */
  transcript?: WrittenTranscript;
}

export class SessionPicker {
  constructor(
    private readonly settings: () => Settings,
    private readonly logger: Logger,
    private readonly spawner: Spawner,
    private readonly pool: SessionPool,
    private readonly held: HeldSessions,
  ) {}

  /** The kind of process a request needs under the current settings. */
  async kindFor(req: Pick<ModelRequest, 'model' | 'effort' | 'jsonSchema' | 'maxOutputTokens'>): Promise<SpawnKind> {
    const binary = await this.spawner.binary().catch((e: unknown) => {
      throw cliNotFound(e instanceof CliNotFoundError ? e.message : String(e));
    });
    return this.spawner.kind(binary, spawnFlags(req, this.settings()));
  }

  /** A process that has been sent this request's turn (and, when new, its system prompt and tools). */
  async pick(req: ModelRequest, tools: ToolSet, tenant: string): Promise<PickedSession> {
    const last = req.turns[req.turns.length - 1]!;
    const answersToolCalls = toolResultsOf(last).length > 0;
    const kind = await this.kindFor(req);
    const picked = answersToolCalls
      ? this.continueHeld(req, kind, tenant)
      : this.continueConversation(req, kind, tenant);
    if (picked) {
      this.pool.noteRequest(kind, false);
      return picked;
    }
    const systemPrompt = [req.system, tools.systemAddendum].filter(Boolean).join('\n\n');
    if (req.turns.length === 1) {
      const fresh = this.pool.takeReady(kind);
      const reused = fresh ? undefined : this.pool.takeReusable(kind, tenant, setupKey(systemPrompt, tools));
      const starting = fresh || reused ? undefined : this.pool.takeStarting(kind);
      this.pool.noteRequest(kind, !fresh && !reused);
      const session = fresh ?? reused ?? starting;
      if (session) {
        if (reused) beginNewConversation(reused, tools);
        else initialize(session, systemPrompt, tools);
        session.tenant = tenant;
        session.conversations++;
        setOutputLimit(session, req.maxOutputTokens, this.environmentLimit());
        sendUserTurn(session, last.content);
        const how = fresh ? 'warm' : reused ? 'reused' : 'starting';
        this.logger.debug(
          how === 'reused'
            ? `reusing claude pid=${session.child.pid} for a new conversation (conversation ${session.conversations})`
            : `using prewarmed claude pid=${session.child.pid}${how === 'starting' ? ' (still starting)' : ''}`,
        );
        return { session, how };
      }
    } else {
      this.pool.noteRequest(kind, false);
    }
    // Cold: a turn that answers tool calls goes into the transcript whole; otherwise the new user turn goes over stdin.
    const history = tools.turnsIn(answersToolCalls ? req.turns : req.turns.slice(0, -1));
    const transcript =
      history.length > 0
        ? await writeTranscript(claudeConfigDir(this.spawner.env()), this.spawner.cwd(), history, answersToolCalls)
        : undefined;
    const child = this.spawner.spawn(kind, {
      resumeSessionId: transcript?.sessionId,
      maxOutputTokens: req.maxOutputTokens,
    });
    const session = newSession(child, new ToolBridge(child), kind, tools);
    session.tenant = tenant;
    session.conversations = 1;
    session.outputLimit = req.maxOutputTokens;
    initialize(session, systemPrompt, tools);
    sendUserTurn(session, answersToolCalls && transcript ? [] : last.content);
    return { session, how: 'cold', transcript };
  }

  /** The environment's own output limit: what a live process goes back to for a request without one. */
  private environmentLimit(): string {
    return this.spawner.env().CLAUDE_CODE_MAX_OUTPUT_TOKENS ?? '';
  }

  /** The idle process that holds exactly the conversation this request continues (its last answer included). */
  private continueConversation(req: ModelRequest, kind: SpawnKind, tenant: string): PickedSession | undefined {
    if (req.turns.length < 2) return undefined;
    const session = this.pool.takeConversation(conversationFingerprint(req, req.turns.slice(0, -1)), kind, tenant);
    if (!session) return undefined;
    this.logger.debug(`continuing the conversation held by claude pid=${session.child.pid}`);
    setOutputLimit(session, req.maxOutputTokens, this.environmentLimit());
    sendUserTurn(session, req.turns[req.turns.length - 1]!.content);
    return { session, how: 'continued' };
  }

  /** The live process whose pending tool calls the request's last turn answers, with the answers sent. */
  private continueHeld(req: ModelRequest, kind: SpawnKind, tenant: string): PickedSession | undefined {
    const last = req.turns[req.turns.length - 1]!;
    const results = toolResultsOf(last);
    const taken = results[0] && this.held.take(results[0].tool_use_id, tenant);
    if (!taken) return undefined;
    const { session, toolUseIds } = taken;
    const answersAll =
      toolUseIds.every((id) => results.some((r) => r.tool_use_id === id)) && results.length === toolUseIds.length;
    const onlyResults = last.content.every((b) => b.type === 'tool_result');
    const samePrefix = session.conversation === conversationFingerprint(req, req.turns.slice(0, -1));
    if (!answersAll || !onlyResults || !samePrefix || !session.child.alive || session.kind.key !== kind.key) {
      // The client went another way: the held process can never be continued.
      this.held.discard(session);
      return undefined;
    }
    setOutputLimit(session, req.maxOutputTokens, this.environmentLimit());
    void session.bridge.answerInOrder(results); // one at a time, in the client's order (see ToolBridge)
    this.logger.debug(`continued claude pid=${session.child.pid} with ${results.length} tool result(s)`);
    return { session, how: 'held' };
  }
}
