// Types of scripts/build-state.mjs (for the tests that import it).
export declare const ROOT: string;
export declare const SOURCE_DIRS: readonly string[];
export declare const CONFIG_FILES: readonly string[];
export declare const ASSETS: readonly string[];
export declare const DIST: string;
export declare const STAMP: string;
export declare function newestInput(root?: string): { path: string; mtimeMs: number };
export declare function distState(root?: string): { built: boolean; fresh: boolean; newer?: string };
