import "server-only";
import nextPackage from "next/package.json";
import appPackage from "../../package.json";

/** Versions the health panel shows; bundled at build time, so they describe what is running. */
export const APP_VERSION: string = appPackage.version;
export const NEXT_VERSION: string = nextPackage.version;
export const NODE_VERSION: string = process.version;
