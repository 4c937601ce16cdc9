/** Every Go rule, in the order `leaklint rules` lists them. */
import { Rule } from "../../core/rule";
import type { GoFacts } from "../frontend";
import { cachePerInstance } from "./cache-per-instance";
import { unclosedHandle } from "./unclosed-handle";
import { unclosedResponseBody } from "./unclosed-response-body";
import { unboundedConcurrency } from "./unbounded-concurrency";
import { unclosedRows } from "./unclosed-rows";
import { unreleasedConnection } from "./unreleased-connection";

export const GO_RULES: Rule<GoFacts>[] = [unclosedRows, unclosedResponseBody, unreleasedConnection, unclosedHandle, cachePerInstance, unboundedConcurrency];
