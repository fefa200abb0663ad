import type { Component } from '../platform/types';
import { activeListening } from './active-listening';
import { alertmanager } from './alertmanager';
import { atlas } from './atlas';
import { auraOperator } from './aura-operator';
import { backups } from './backups';
import { coreServices } from './core-services';
import { elasticsearch } from './elasticsearch';
import { exporters } from './exporters';
import { fluentBit } from './fluent-bit';
import { grafana } from './grafana';
import { localModules } from './local-modules';
import { logMigration } from './log-migration';
import { mongodb } from './mongodb';
import { nginx } from './nginx';
import { prometheus } from './prometheus';
import { redis } from './redis';
import { thanos } from './thanos';

/**
 * Every component of the platform, in order: the order of their objects and of Prometheus'
 * scrape jobs. Adding a component is one file in this folder and its place here.
 */
export const CATALOG: readonly Component[] = [
  // aura-system: monitoring, logging, data stores
  prometheus,
  thanos,
  exporters,
  alertmanager,
  grafana,
  elasticsearch,
  logMigration,
  fluentBit,
  redis,
  mongodb,
  backups,
  activeListening,
  atlas,
  // the core namespace
  coreServices,
  localModules,
  nginx,
  auraOperator,
];
