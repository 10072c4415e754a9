import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { useCallback, useEffect, useRef, useState } from "react";
import { showServerFailure } from "../../kvsplit/serverToasts";
import type { ChatSettings } from "../../settings/preferences";
import { askServer, conversationMessages, type Turn } from "./function";

/** A conversation with the local model: ask() streams an answer into the last turn; stop() ends it early. */
export function useConversation(active: ActiveServer, settings: ChatSettings) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [isStreaming, setIsStreaming] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  // the latest turns for ask(), which must not be re-created on every streamed token
  const turnsRef = useRef<Turn[]>([]);

  const update = useCallback((change: (last: Turn) => Turn) => {
    setTurns((current) => {
      const next = [...current.slice(0, -1), change(current.at(-1)!)];
      turnsRef.current = next;
      return next;
    });
  }, []);

  const ask = useCallback(
    async (question: string) => {
      const messages = conversationMessages(settings, turnsRef.current, question);
      setTurns((current) => (turnsRef.current = [...current, { question, answer: "" }]));
      const controller = new AbortController();
      abort.current = controller;
      setIsStreaming(true);
      try {
        const result = await askServer(active, settings, messages, controller.signal, (text) =>
          update((last) => ({ ...last, answer: last.answer + text })),
        );
        update((last) => ({ ...last, answer: result.text, result }));
      } catch (error) {
        update((last) => ({ ...last, error: error instanceof Error ? error.message : String(error) }));
        await showServerFailure(active, "The answer failed", error);
      } finally {
        setIsStreaming(false);
      }
    },
    [active, settings, update],
  );

  const stop = useCallback(() => abort.current?.abort(), []);
  // closing the view ends the answer: the aborted request closes its connection, so the server stops generating
  useEffect(() => () => abort.current?.abort(), []);

  return { turns, isStreaming, ask, stop };
}
