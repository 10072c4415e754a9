import { largestContextWithin, type ContextFit } from "../model/contextFit.ts";
import { readModelFacts, type ModelFacts } from "../model/gguf.ts";
import { checkProfileFitsModel } from "../profiles/fit.ts";
import { perLayerTypes } from "../profiles/perLayerTypes.ts";
import type { Profile } from "../profiles/schema.ts";
import { ProfileStore } from "../profiles/store.ts";
import { activeProfile, planLaunch } from "./launchPlan.ts";
import { ServerManager, type StartStep, type SwitchOptions } from "./ServerManager.ts";
import { checkThreads, serverContextSize } from "./settingsCheck.ts";
import { defaultServerPort, type LaunchPlan, type ServerSettings, type ServerState } from "./types.ts";

/**
 * The server as the user configured it: the settings plus whichever profile is active in the store.
 * The terminal twin and the Raycast extension both go through this, so they always agree.
 */
export class ActiveServer {
  readonly store: ProfileStore;
  readonly manager: ServerManager;

  constructor(
    readonly supportDir: string,
    readonly settings: ServerSettings,
    manager?: ServerManager,
  ) {
    this.store = new ProfileStore(supportDir);
    this.manager = manager ?? new ServerManager({ supportDir });
  }

  get port(): number {
    return this.settings.port ?? defaultServerPort;
  }

  /**
   * The launch plan for the active profile (or `profile`), its context fitted to the K/V memory limit if one is set.
   * Reads the model first: a missing, truncated or foreign GGUF, or a profile made for another model, fails here,
   * before any running server is touched.
   */
  async plan(profile: Profile = activeProfile(this.store)): Promise<LaunchPlan> {
    const facts = await this.modelFacts(profile);
    const fit = this.fitContext(profile, facts);
    if (this.settings.threads !== undefined) checkThreads(this.settings.threads);
    return planLaunch({ ...this.settings, contextSize: fit?.ctx ?? serverContextSize(this.settings, facts) }, profile);
  }

  /**
   * With a K/V memory limit: the largest context whose K/V cache fits it for `profile` on the configured model,
   * counted as llama.cpp allocates it (sliding-window caches included). Undefined without a limit.
   */
  async contextFit(profile: Profile = activeProfile(this.store)): Promise<ContextFit | undefined> {
    if (this.settings.kvMemoryBytes === undefined) return undefined;
    return this.fitContext(profile, await this.modelFacts(profile));
  }

  /** The served model's facts, with the one fit rule applied to `profile` (profiles/fit.ts). */
  private async modelFacts(profile: Profile): Promise<ModelFacts> {
    const facts = await readModelFacts(planLaunch(this.settings, profile).modelPath);
    checkProfileFitsModel(profile, facts);
    return facts;
  }

  private fitContext(profile: Profile, facts: ModelFacts): ContextFit | undefined {
    if (this.settings.kvMemoryBytes === undefined) return undefined;
    return largestContextWithin(
      facts,
      perLayerTypes(profile.cache, facts.nLayer),
      this.settings.kvMemoryBytes,
      `profile ${profile.name}`,
    );
  }

  /**
   * Starts the server, or restarts it when the active profile, model or settings changed since it started; a server
   * streaming an answer is not restarted unless `force` (AnswerInProgressError says what differs).
   */
  async ensureRunning(onStep?: (step: StartStep) => void, options?: SwitchOptions): Promise<ServerState> {
    return this.manager.ensureRunning(await this.plan(), onStep, options);
  }

  /** Restarts the server with the current plan, whether or not it changed (not while it answers, unless `force`). */
  async restart(onStep?: (step: StartStep) => void, options?: SwitchOptions): Promise<ServerState> {
    return this.manager.restart(await this.plan(), onStep, options);
  }

  /**
   * Makes `name` the active profile and, if a server runs, switches it to that profile. The profile is checked
   * against the model first, and becomes active only once its server runs: a failed switch brings the old server
   * back and leaves the old profile active (ServerSwitchFailedError says so). Returns the new server when it was
   * switched, undefined when none was running (the next start picks the profile up). A server streaming an answer
   * is not switched unless `force`.
   */
  async useProfile(
    name: string,
    onStep?: (step: StartStep) => void,
    options?: SwitchOptions,
  ): Promise<ServerState | undefined> {
    // read once: the plan, the switch and the active-profile file all use this copy
    const profile: Profile = this.store.get(name);
    const plan = await this.plan(profile);
    const status = await this.manager.status();
    const server = status.state === "running" ? await this.manager.ensureRunning(plan, onStep, options) : undefined;
    this.store.setActiveProfile(profile);
    return server;
  }
}
