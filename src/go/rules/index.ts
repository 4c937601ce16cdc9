/** Every Go rule, in the order `leaklint rules` lists them. */
import type { GoGate } from "../gate";
import { Rule } from "../../core/rule";
import type { GoFacts } from "../frontend";
import { cachePerInstance } from "./cache-per-instance";
import { clientPerCall } from "./client-per-call";
import { clientWithoutTimeout } from "./client-without-timeout";
import { unclosedHandle } from "./unclosed-handle";
import { unclosedResponseBody } from "./unclosed-response-body";
import { unboundedConcurrency } from "./unbounded-concurrency";
import { serverWithoutTimeouts } from "./server-without-timeouts";
import { sharedReadBuffer } from "./shared-read-buffer";
import { sqlPoolWithoutLifetime } from "./sql-pool-without-lifetime";
import { unclosedRows } from "./unclosed-rows";
import { unreleasedConnection } from "./unreleased-connection";

export const GO_RULES: Rule<GoFacts, GoGate>[] = [unclosedRows, unclosedResponseBody, unreleasedConnection, unclosedHandle, clientPerCall, clientWithoutTimeout, cachePerInstance, unboundedConcurrency, serverWithoutTimeouts, sqlPoolWithoutLifetime, sharedReadBuffer];
