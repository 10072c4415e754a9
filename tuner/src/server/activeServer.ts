import type { Profile } from "../profiles/schema.ts";
import { ProfileStore } from "../profiles/store.ts";
import { activeProfile, planLaunch } from "./launchPlan.ts";
import { ServerManager, type StartStep } from "./ServerManager.ts";
import type { LaunchPlan, ServerSettings, ServerState } from "./types.ts";

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

  plan(): LaunchPlan {
    return planLaunch(this.settings, activeProfile(this.store));
  }

  /** Starts the server, or restarts it when the active profile, model or settings changed since it started. */
  ensureRunning(onStep?: (step: StartStep) => void): Promise<ServerState> {
    return this.manager.ensureRunning(this.plan(), onStep);
  }

  /**
   * Makes `name` the active profile and, if a server runs, restarts it with that profile. Returns the new server
   * when it was restarted, undefined when none was running (the next start picks the profile up).
   */
  async useProfile(name: string, onStep?: (step: StartStep) => void): Promise<ServerState | undefined> {
    const profile: Profile = this.store.get(name);
    // check the profile fits before anything changes
    planLaunch(this.settings, profile);
    this.store.setActiveProfile(profile.name);
    const status = await this.manager.status();
    return status.state === "running" ? this.manager.ensureRunning(this.plan(), onStep) : undefined;
  }
}
