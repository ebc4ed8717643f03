import type { Controller } from '../app/controller.js';
import type { ControllerConfig } from '../app/controller-config.js';
import { reloadChanges } from '../app/config-reload.js';
import type { Logger } from '../adapters/logger.js';
import { ErrorCode, isTenantBalancerError, TenantBalancerError } from '../domain/errors.js';

export interface ReloadResult {
  readonly mode: ControllerConfig['mode'];
  /** the reloadable fields that changed, e.g. `thresholds.isolateRate`, `mode`, `tenants.orders/acme` */
  readonly changes: readonly string[];
}

/**
 * The config in force in one controller service: each Controller is built from it (a standby's next
 * one too), and a reload (SIGHUP, POST /config/reload) replaces it after the same validation as at
 * start. A refused reload is logged at error with its code and changes nothing.
 */
export class LiveConfig {
  constructor(
    private config: ControllerConfig,
    private readonly log: Logger,
    /** reads and validates the config again, as at start (the CLI: file < env < flags) */
    private readonly source: (() => ControllerConfig) | undefined,
  ) {}

  get value(): ControllerConfig {
    return this.config;
  }

  reload(current: Controller | undefined): ReloadResult {
    try {
      if (this.source === undefined)
        throw new TenantBalancerError(
          ErrorCode.RequestInvalid,
          'this controller has no config source to reload; start it with the CLI (tenant-balancer controller --config FILE)',
        );
      const next = this.source();
      // refuses before anything is applied, naming the fields only a restart changes
      const changes = reloadChanges(this.config, next);
      this.config = next;
      if (current !== undefined) current.reconfigure(next);
      else
        this.log.info(
          { changes, mode: next.mode },
          'config reloaded (standby: the next leadership starts with it)',
        );
      return { mode: next.mode, changes };
    } catch (e) {
      if (isTenantBalancerError(e))
        this.log.error(
          { code: e.code },
          `config reload refused: ${e.message}; the config in force is unchanged`,
        );
      throw e;
    }
  }
}
