#!/usr/bin/env node
// Composition root of the `tenant-balancer` CLI: parses arguments and wires commands; no logic here.
import { Command } from 'commander';
import { isTenantBalancerError } from './domain/errors.js';
import { kafkaCommand } from './cli/kafka-command.js';
import { registryCommand } from './cli/registry-command.js';
import { checkCommand } from './cli/check-command.js';
import { controllerCommand } from './cli/controller-command.js';
import { demoCommand } from './cli/demo-command.js';
import { operatorCommands } from './cli/operator-commands.js';
import { routesCommand } from './cli/routes-command.js';
import { topicsCommand } from './cli/topics-command.js';

const program = new Command('tenant-balancer')
  .description('keeps one noisy tenant from starving the others on a multi-tenant Kafka topic')
  .version('0.1.0')
  .showHelpAfterError()
  .addCommand(kafkaCommand())
  .addCommand(registryCommand())
  .addCommand(topicsCommand())
  .addCommand(routesCommand())
  .addCommand(controllerCommand())
  .addCommand(checkCommand())
  .addCommand(demoCommand());
for (const c of operatorCommands()) program.addCommand(c);

program.parseAsync(process.argv).catch((e: unknown) => {
  if (isTenantBalancerError(e)) {
    console.error(e.message);
  } else {
    console.error(e);
  }
  process.exit(1);
});
