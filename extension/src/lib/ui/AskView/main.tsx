import { Action, ActionPanel, Detail, Form, Icon, Keyboard, List, useNavigation } from "@raycast/api";
import { usePromise } from "@raycast/utils";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { basename } from "node:path";
import { useEffect } from "react";
import { formatKvMemory } from "../../kvsplit/format";
import type { ChatSettings } from "../../settings/preferences";
import { usePreferences } from "../../settings/usePreferences";
import { PreferencesErrorView } from "../PreferencesErrorView";
import { MissingSetupView } from "../MissingSetupView";
import { answerMarkdown } from "./answerMarkdown";
import { loadServerInfo } from "./function";
import { useConversation } from "./useConversation";
import { conversationText, deleteConversation, loadConversations, type SavedConversation } from "./conversationStore";

/** With a question: a new conversation that asks it. Without: the kept conversations, to reopen or start one. */
export function AskView({ prompt }: { prompt?: string }) {
  const preferences = usePreferences();
  if (preferences.error) return <PreferencesErrorView error={preferences.error} />;
  if (preferences.missing.length > 0) return <MissingSetupView missing={preferences.missing} />;
  const question = prompt?.trim();
  if (question) return <Conversation active={preferences.active} chat={preferences.chat} prompt={question} />;
  return <ConversationList active={preferences.active} chat={preferences.chat} />;
}

function ConversationList({ active, chat }: { active: ActiveServer; chat: ChatSettings }) {
  const { data, isLoading, revalidate } = usePromise(loadConversations);
  const remove = async (id: string) => {
    await deleteConversation(id);
    revalidate();
  };
  return (
    <List isLoading={isLoading} searchBarPlaceholder="Search conversations">
      <List.Item
        title="New Conversation"
        icon={Icon.Plus}
        actions={
          <ActionPanel>
            <Action.Push
              title="Start Conversation"
              icon={Icon.Plus}
              target={<Conversation active={active} chat={chat} onSaved={revalidate} />}
            />
          </ActionPanel>
        }
      />
      <List.Section title="Conversations">
        {(data ?? []).map((conversation) => (
          <List.Item
            key={conversation.id}
            title={conversation.title}
            subtitle={`${conversation.turns.length} ${conversation.turns.length === 1 ? "question" : "questions"}`}
            accessories={[{ date: new Date(conversation.updatedAt) }]}
            actions={
              <ActionPanel>
                <Action.Push
                  title="Open Conversation"
                  icon={Icon.Bubble}
                  target={<Conversation active={active} chat={chat} saved={conversation} onSaved={revalidate} />}
                />
                <Action.CopyToClipboard
                  title="Copy Conversation"
                  content={conversationText(conversation.turns)}
                  shortcut={Keyboard.Shortcut.Common.Copy}
                />
                <Action
                  title="Delete Conversation"
                  icon={Icon.Trash}
                  style={Action.Style.Destructive}
                  shortcut={Keyboard.Shortcut.Common.Remove}
                  onAction={() => remove(conversation.id)}
                />
              </ActionPanel>
            }
          />
        ))}
      </List.Section>
    </List>
  );
}

interface ConversationProps {
  active: ActiveServer;
  chat: ChatSettings;
  prompt?: string;
  saved?: SavedConversation;
  onSaved?: () => void;
}

function Conversation({ active, chat, prompt, saved, onSaved }: ConversationProps) {
  const { turns, isStreaming, ask, stop } = useConversation(active, chat, saved, onSaved);
  // reloaded when an answer starts and when it ends: by then the server runs and has measured its cache
  const info = usePromise(loadServerInfo, [active], { execute: turns.length > 0 });
  const { revalidate } = info;
  useEffect(() => {
    if (turns.length > 0) revalidate();
  }, [isStreaming]);

  useEffect(() => {
    if (prompt) void ask(prompt);
  }, []);

  if (turns.length === 0) return <QuestionForm submitTitle="Ask" onQuestion={ask} />;

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
          <Action.CopyToClipboard
            title="Copy Conversation"
            content={conversationText(turns)}
            shortcut={Keyboard.Shortcut.Common.Copy}
          />
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
      navigationTitle="Ask Follow-Up"
      submitTitle="Ask Follow-Up"
      onQuestion={(question) => {
        pop();
        onQuestion(question);
      }}
    />
  );
}

interface QuestionFormProps {
  /** only for a pushed form: a command's root view keeps Raycast's title (the command's name) */
  navigationTitle?: string;
  submitTitle: string;
  onQuestion: (question: string) => void;
}

function QuestionForm({ navigationTitle, submitTitle, onQuestion }: QuestionFormProps) {
  return (
    <Form
      navigationTitle={navigationTitle}
      actions={
        <ActionPanel>
          <Action.SubmitForm
            title={submitTitle}
            onSubmit={(values: { question: string }) => {
              if (values.question.trim()) onQuestion(values.question.trim());
            }}
          />
        </ActionPanel>
      }
    >
      <Form.TextArea id="question" title="Question" placeholder="Ask the local model anything" />
    </Form>
  );
}
