import {
  AclOperationTypes as Op,
  AclPermissionTypes,
  AclResourceTypes as Res,
  ResourcePatternTypes as Pattern,
  type AclEntry,
} from 'kafkajs';
import { controllerTransactionalId } from './route-writer.js';

export interface DeploymentNames {
  readonly routingTopic: string;
  readonly acksTopic: string;
  readonly trafficTopic: string;
  /** the managed topics */
  readonly topics: readonly string[];
}

type Grant = readonly [Res, string, Pattern, readonly Op[]];

/**
 * The least a controller principal needs: it alone writes the routing topic (in transactions of its
 * transactional id), reads the signal topics, follows consumer offsets, and grows managed topics.
 * Its election and reader groups have fixed prefixes. The topics themselves are created by an
 * operator (`tenant-balancer topics create`, with a principal allowed to create topics).
 */
export const controllerGrants = (n: DeploymentNames): Grant[] => [
  [Res.TOPIC, n.routingTopic, Pattern.LITERAL, [Op.READ, Op.WRITE, Op.DESCRIBE]],
  [Res.TOPIC, `${n.routingTopic}.leader`, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]],
  [Res.TOPIC, n.acksTopic, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]],
  [Res.TOPIC, n.trafficTopic, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]],
  ...n.topics.map((t): Grant => [Res.TOPIC, t, Pattern.LITERAL, [Op.DESCRIBE, Op.ALTER]]),
  [Res.TRANSACTIONAL_ID, controllerTransactionalId(n.routingTopic), Pattern.LITERAL, [Op.WRITE, Op.DESCRIBE]],
  [Res.GROUP, `ktb-leader-${n.routingTopic}`, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]],
  [Res.GROUP, 'ktb-controller-signals-', Pattern.PREFIXED, [Op.READ]],
  [Res.GROUP, 'ktb-routes-', Pattern.PREFIXED, [Op.READ]],
  // the consumer groups whose offsets a drain waits for (listing groups needs the cluster's Describe)
  [Res.GROUP, '*', Pattern.LITERAL, [Op.DESCRIBE]],
  [Res.CLUSTER, 'kafka-cluster', Pattern.LITERAL, [Op.DESCRIBE]],
];

/**
 * The least a SmartProducer principal needs: write the managed topics and its signals (traffic
 * reports, drain acks), read the routing topic. It cannot write routes.
 */
export const producerGrants = (n: DeploymentNames): Grant[] => [
  ...n.topics.map((t): Grant => [Res.TOPIC, t, Pattern.LITERAL, [Op.WRITE, Op.DESCRIBE]]),
  [Res.TOPIC, n.acksTopic, Pattern.LITERAL, [Op.WRITE, Op.DESCRIBE]],
  [Res.TOPIC, n.trafficTopic, Pattern.LITERAL, [Op.WRITE, Op.DESCRIBE]],
  [Res.TOPIC, n.routingTopic, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]],
  [Res.GROUP, 'ktb-routes-', Pattern.PREFIXED, [Op.READ]],
];

/**
 * The least an ordered-consumer principal needs (consumer-gated moves): read the managed topics in its
 * group (and the group's committed offsets), read the routing topic, announce itself on the acks topic.
 */
export const orderedConsumerGrants = (n: DeploymentNames, groupId: string): Grant[] => [
  ...n.topics.map((t): Grant => [Res.TOPIC, t, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]]),
  [Res.GROUP, groupId, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]],
  [Res.TOPIC, n.routingTopic, Pattern.LITERAL, [Op.READ, Op.DESCRIBE]],
  [Res.GROUP, 'ktb-routes-', Pattern.PREFIXED, [Op.READ]],
  [Res.TOPIC, n.acksTopic, Pattern.LITERAL, [Op.WRITE, Op.DESCRIBE]],
];

/** Grants as kafkajs ACL entries for one principal (e.g. `User:controller`). */
export const aclEntries = (principal: string, grants: readonly Grant[]): AclEntry[] =>
  grants.flatMap(([resourceType, resourceName, resourcePatternType, ops]) =>
    ops.map((operation) => ({
      principal,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
      resourceType,
      resourceName,
      resourcePatternType,
    })),
  );
