export const WEB_ROOT: string;
export const OPENAPI_PATH: string;
export const SCHEMA_PATH: string;
export const HEADER: string;
export function generateSchema(source?: string | object): Promise<string>;
export function snapshotExists(): boolean;
export const REQUIRED_PATHS: string[];
export function snapshotStatus(): { exists: boolean; complete: boolean; missing: string[] };
