import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { useCallback, useEffect, useRef, useState } from "react";
import { showServerFailure } from "../../kvsplit/serverToasts";
import type { ChatSettings } from "../../settings/preferences";
import { askServer, conversationMessages, type Turn } from "./function";
import { saveConversation, type SavedConversation } from "./conversationStore";
import { randomUUID } from "node:crypto";

/**
 * A conversation with the local model: ask() streams an answer into the last turn; stop() ends it early. It is
 * kept in LocalStorage after every answer, so it can be reopened (`saved`) and asked on.
 */
export function useConversation(
  active: ActiveServer,
  settings: ChatSettings,
  saved?: SavedConversation,
  onSaved?: () => void,
) {
  const [turns, setTurns] = useState<Turn[]>(saved?.turns ?? []);
  const [isStreaming, setIsStreaming] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);
  // the latest turns for ask(), which must not be re-created on every streamed token
  const turnsRef = useRef<Turn[]>(saved?.turns ?? []);
  const identity = useRef({ id: saved?.id ?? randomUUID(), createdAt: saved?.createdAt ?? new Date().toISOString() });

  const update = useCallback((change: (last: Turn) => Turn) => {
    setTurns((current) => {
      const next = [...current.slice(0, -1), change(current.at(-1)!)];
      turnsRef.current = next;
      return next;
    });
  }, []);

  const ask = useCallback(
    async (question: string) => {
      const earlier = turnsRef.current;
      const messages = conversationMessages(settings, earlier, question);
      setTurns((current) => (turnsRef.current = [...current, { question, answer: "" }]));
      const controller = new AbortController();
      abort.current = controller;
      setIsStreaming(true);
      // the turn as it ends, kept here too: the state's copy is only written on React's next render
      let finished: Turn = { question, answer: "" };
      try {
        const result = await askServer(active, settings, messages, controller.signal, (text) => {
          finished = { ...finished, answer: finished.answer + text };
          update((last) => ({ ...last, answer: last.answer + text }));
        });
        finished = { question, answer: result.text, result };
        update((last) => ({ ...last, answer: result.text, result }));
      } catch (error) {
        finished = { ...finished, error: error instanceof Error ? error.message : String(error) };
        update((last) => ({ ...last, error: finished.error }));
        await showServerFailure(active, "The answer failed", error);
      } finally {
        setIsStreaming(false);
      }
      const kept = [...earlier, finished];
      await saveConversation({
        ...identity.current,
        title: kept[0]!.question,
        updatedAt: new Date().toISOString(),
        turns: kept,
      });
      onSaved?.();
    },
    [active, settings, update, onSaved],
  );

  const stop = useCallback(() => abort.current?.abort(), []);
  // closing the view ends the answer: the aborted request closes its connection, so the server stops generating
  useEffect(() => () => abort.current?.abort(), []);

  return { turns, isStreaming, ask, stop };
}
