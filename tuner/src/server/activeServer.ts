import { largestContextWithin, type ContextFit } from "../model/contextFit.ts";
import { readModelFacts } from "../model/gguf.ts";
import { perLayerTypes } from "../profiles/perLayerTypes.ts";
import type { Profile } from "../profiles/schema.ts";
import { ProfileStore } from "../profiles/store.ts";
import { activeProfile, planLaunch } from "./launchPlan.ts";
import { ServerManager, type StartStep } from "./ServerManager.ts";
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

  /** The launch plan for the active profile (or `profile`), its context fitted to the K/V memory limit if one is set. */
  async plan(profile: Profile = activeProfile(this.store)): Promise<LaunchPlan> {
    const fit = await this.contextFit(profile);
    return planLaunch(fit ? { ...this.settings, contextSize: fit.ctx } : this.settings, profile);
  }

  /**
   * With a K/V memory limit: the largest context whose K/V cache fits it for `profile` on the configured model,
   * counted as llama.cpp allocates it (sliding-window caches included). Undefined without a limit.
   */
  async contextFit(profile: Profile = activeProfile(this.store)): Promise<ContextFit | undefined> {
    if (this.settings.kvMemoryBytes === undefined) return undefined;
    // the cheap check first: a profile for another model fails before the model is read
    const { modelPath } = planLaunch(this.settings, profile);
    const facts = await readModelFacts(modelPath);
    return largestContextWithin(
      facts,
      perLayerTypes(profile.cache, facts.nLayer),
      this.settings.kvMemoryBytes,
      `profile ${profile.name}`,
    );
  }

  /** Starts the server, or restarts it when the active profile, model or settings changed since it started. */
  async ensureRunning(onStep?: (step: StartStep) => void): Promise<ServerState> {
    return this.manager.ensureRunning(await this.plan(), onStep);
  }

  /** Restarts the server with the current plan, whether or not it changed. */
  async restart(onStep?: (step: StartStep) => void): Promise<ServerState> {
    return this.manager.restart(await this.plan(), onStep);
  }

  /**
   * Makes `name` the active profile and, if a server runs, restarts it with that profile. Returns the new server
   * when it was restarted, undefined when none was running (the next start picks the profile up).
   */
  async useProfile(name: string, onStep?: (step: StartStep) => void): Promise<ServerState | undefined> {
    const profile: Profile = this.store.get(name);
    // check the profile fits (the model, and the K/V memory limit) before anything changes
    await this.plan(profile);
    this.store.setActiveProfile(profile.name);
    const status = await this.manager.status();
    return status.state === "running" ? this.manager.ensureRunning(await this.plan(), onStep) : undefined;
  }
}
