import { Action, ActionPanel, Detail, Form, Icon, useNavigation } from "@raycast/api";
import { usePromise } from "@raycast/utils";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { basename } from "node:path";
import { useEffect } from "react";
import { formatKvMemory } from "../../kvsplit/format";
import type { ChatSettings } from "../../settings/preferences";
import { usePreferences } from "../../settings/usePreferences";
import { PreferencesErrorView } from "../PreferencesErrorView";
import { answerMarkdown } from "./answerMarkdown";
import { loadServerInfo } from "./function";
import { useConversation } from "./useConversation";

export function AskView({ prompt }: { prompt?: string }) {
  const preferences = usePreferences();
  if (preferences.error) return <PreferencesErrorView error={preferences.error} />;
  return <Conversation active={preferences.active} chat={preferences.chat} prompt={prompt?.trim() || undefined} />;
}

function Conversation({ active, chat, prompt }: { active: ActiveServer; chat: ChatSettings; prompt?: string }) {
  const { turns, isStreaming, ask, stop } = useConversation(active, chat);
  // reloaded when an answer starts and when it ends: by then the server runs and has measured its cache
  const info = usePromise(loadServerInfo, [active], { execute: turns.length > 0 });
  const { revalidate } = info;
  useEffect(() => {
    if (turns.length > 0) revalidate();
  }, [isStreaming]);

  useEffect(() => {
    if (prompt) void ask(prompt);
  }, []);

  if (turns.length === 0) return <QuestionForm title="Ask" onQuestion={ask} />;

  const last = turns.at(-1)!;
  const stats = last.result?.stats;
  return (
    <Detail
      isLoading={isStreaming}
      markdown={answerMarkdown(turns, isStreaming)}
      metadata={
        <Detail.Metadata>
          <Detail.Metadata.Label title="Model" text={basename(info.data?.server.modelPath ?? "") || "—"} />
          <Detail.Metadata.Label title="Profile" text={info.data?.server.profileName ?? "—"} />
          <Detail.Metadata.Label title="KV Memory" text={info.data ? formatKvMemory(info.data.kvCache) : "—"} />
          <Detail.Metadata.Separator />
          <Detail.Metadata.Label title="Tokens/s" text={stats ? stats.tokensPerSecond.toFixed(1) : "—"} />
          <Detail.Metadata.Label
            title="First Token"
            text={stats ? `${Math.round(stats.timeToFirstTokenMs)} ms` : "—"}
          />
          <Detail.Metadata.Label title="Prompt Tokens" text={stats?.promptTokens?.toString() ?? "—"} />
        </Detail.Metadata>
      }
      actions={
        <ActionPanel>
          {isStreaming && (
            <Action
              title="Stop Generation"
              icon={Icon.Stop}
              shortcut={{ modifiers: ["ctrl"], key: "c" }}
              onAction={stop}
            />
          )}
          <Action.CopyToClipboard title="Copy Answer" content={last.answer} />
          <Action.Paste title="Paste Answer to Front App" content={last.answer} />
          {!isStreaming && (
            <Action.Push
              title="Ask Follow-Up"
              icon={Icon.Reply}
              shortcut={{ modifiers: ["cmd"], key: "f" }}
              target={<FollowUpForm onQuestion={ask} />}
            />
          )}
          <Action.Open title="Open Server Log" icon={Icon.Document} target={active.manager.logPath} />
        </ActionPanel>
      }
    />
  );
}

function FollowUpForm({ onQuestion }: { onQuestion: (question: string) => void }) {
  const { pop } = useNavigation();
  return (
    <QuestionForm
      title="Ask Follow-Up"
      onQuestion={(question) => {
        pop();
        onQuestion(question);
      }}
    />
  );
}

function QuestionForm({ title, onQuestion }: { title: string; onQuestion: (question: string) => void }) {
  return (
    <Form
      navigationTitle={title}
      actions={
        <ActionPanel>
          <Action.SubmitForm
            title={title}
            onSubmit={(values: { question: string }) => {
              if (values.question.trim()) onQuestion(values.question.trim());
            }}
          />
        </ActionPanel>
      }
    >
      <Form.TextArea id="question" title="Question" />
    </Form>
  );
}
