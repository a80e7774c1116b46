import "server-only";
import { ApiError } from "@/lib/core/errors";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a JSON body with a hard size cap, counting bytes as they arrive so a
 * lying Content-Length or an endless chunked body cannot exhaust memory.
 */
export async function readJsonBody(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return undefined;
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ApiError("bad_request", "send the body as JSON with Content-Type: application/json");
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("bad_request", "the body is not valid JSON");
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `the body is larger than ${maxBytes} bytes`, { maxBytes });
}
