/** Every TS/JS rule, in the order `leaklint rules` lists them. */
import { Rule } from "../../core/rule";
import type { TsFacts } from "../frontend";
import { unclosedHandle } from "./unclosed-handle";
import { unclosedResponseBody } from "./unclosed-response-body";
import { unclosedRows } from "./unclosed-rows";
import { unreleasedConnection } from "./unreleased-connection";

export const TS_RULES: Rule<TsFacts>[] = [unclosedRows, unclosedResponseBody, unreleasedConnection, unclosedHandle];
