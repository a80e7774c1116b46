/**
 * Saves a fetched answer as a file, reporting bytes as they arrive. For answers a link cannot
 * fetch (a POST with the SQL in its body); answers behind a GET are plain download links instead,
 * which the browser streams to disk itself.
 */
export async function saveDownload(response: Response, filename: string, onProgress: (bytes: number) => void): Promise<void> {
  const reader = response.body?.getReader();
  const chunks: BlobPart[] = [];
  let bytes = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
      onProgress(bytes);
    }
  }
  const url = URL.createObjectURL(new Blob(chunks, { type: response.headers.get("content-type") ?? "application/octet-stream" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download manager; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
