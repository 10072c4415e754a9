import { createServer } from "node:net";

/** Whether we could listen on 127.0.0.1:`port` right now (the same bind llama-server will attempt). */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, host: "127.0.0.1", exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
