/**
 * Expensive things a call builds (a cache that preallocates memory, a client
 * with its own connection pool), found directly or through functions of the
 * module that build them, so a rule can report `room.Init()` calling
 * `go2cache.NewServer()` calling a helper calling `bigcache.New`.
 */
import type { Node } from "./parser";
import type { GoContext } from "./context";
import { cacheReachesCaller, detectCacheConstruction } from "./cache-constructors";
import { clientReachesCaller, detectClientConstruction } from "./client-constructors";

export interface Construction {
  family: "cache" | "client";
  /** What is built, as the code says it: "bigcache.New", "&http.Transport{}". */
  what: string;
  /** More for the message, e.g. the memory a literal config preallocates. */
  detail?: string;
  /** The module functions the construction was reached through, outermost first. */
  via: string[];
}

/** A detector looks at one call or composite literal and says what it builds, if anything. */
export type ConstructionDetector = (node: Node, ctx: GoContext) => Omit<Construction, "via"> | undefined;

export const CONSTRUCTION_DETECTORS: ConstructionDetector[] = [detectCacheConstruction, detectClientConstruction];

/**
 * Whether a construction found at `node` in a function's body is built for the
 * function's callers, so their summaries carry it; a family without an entry
 * always is. A client the function closes or leaks itself is its own finding.
 */
export const REACHES_CALLER: Partial<Record<Construction["family"], (node: Node, ctx: GoContext) => boolean>> = { client: clientReachesCaller, cache: cacheReachesCaller };

// A generic call with one argument (`lru.New[string, int](128)`) parses as a type conversion.
export const CONSTRUCTION_NODE_TYPES = new Set(["call_expression", "composite_literal", "type_conversion_expression"]);
