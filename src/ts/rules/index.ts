/** Every TS/JS rule, in the order `leaklint rules` lists them. */
import { Rule } from "../../core/rule";
import type { TsFacts } from "../frontend";
import { cachePerInstance } from "./cache-per-instance";
import { clientPerCall } from "./client-per-call";
import { serverWithoutTimeouts } from "./server-without-timeouts";
import { sharedReadBuffer } from "./shared-read-buffer";
import { unboundedConcurrency } from "./unbounded-concurrency";
import { unclosedHandle } from "./unclosed-handle";
import { unclosedResponseBody } from "./unclosed-response-body";
import { unclosedRows } from "./unclosed-rows";
import { unreleasedConnection } from "./unreleased-connection";

export const TS_RULES: Rule<TsFacts>[] = [unclosedRows, unclosedResponseBody, unreleasedConnection, unclosedHandle, clientPerCall, cachePerInstance, unboundedConcurrency, serverWithoutTimeouts, sharedReadBuffer];
