// The chat panel: renders lines as text (never as HTML) and hands what the user typed to a
// send function, showing the server's reason when a line is refused.
import type { ChatMessage } from './contracts';
import { hubErrorReason } from './hub-errors';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export class ChatView {
  private readonly log: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly error: HTMLElement;
  // What each shown line says, so a history that arrives late can be merged with it.
  private readonly shown = new WeakMap<Element, ChatMessage>();

  constructor(root: Document, send: (text: string) => Promise<void>) {
    this.log = required(root, 'chat-log');
    this.input = required(root, 'chat-input') as HTMLInputElement;
    this.error = required(root, 'chat-error');
    const form = required(root, 'chat-form') as HTMLFormElement;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = this.input.value;
      if (text.trim() === '') {
        return;
      }
      this.error.hidden = true;
      // Cleared at once, so a line typed while this one is on its way is never wiped by the
      // acknowledgement; a refused line comes back for editing unless something new was typed.
      this.input.value = '';
      send(text).catch((err: unknown) => {
        if (this.input.value === '') {
          this.input.value = text;
        }
        this.showError(err);
      });
    });
  }

  /**
   * Replaces the log with the room's recent history, keeping the lines that arrived live and
   * are newer than the history's newest: the server reads the history before it answers, and a
   * line sent to the room in between reaches the page first (a join notice was lost so).
   */
  reset(messages: readonly ChatMessage[]): void {
    const inHistory = new Set(messages.map(key));
    const newest = messages.length === 0 ? -Infinity : Date.parse(messages[messages.length - 1]!.sentAt);
    const later: ChatMessage[] = [];
    for (const item of Array.from(this.log.children)) {
      const m = this.shown.get(item);
      if (m !== undefined && !inHistory.has(key(m)) && !(Date.parse(m.sentAt) < newest)) {
        later.push(m);
      }
    }
    this.log.replaceChildren(...messages.map((m) => this.render(m)), ...later.map((m) => this.render(m)));
    this.scroll();
  }

  add(message: ChatMessage): void {
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
    this.log.append(this.render(message));
    if (nearBottom) {
      this.scroll();
    }
  }

  private render(message: ChatMessage): HTMLElement {
    const item = render(message);
    this.shown.set(item, message);
    return item;
  }

  private scroll(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }

  private showError(err: unknown): void {
    this.error.textContent = hubErrorReason(err);
    this.error.hidden = false;
  }
}

function key(m: ChatMessage): string {
  return `${m.sentAt}\u0000${m.kind}\u0000${m.fromId}\u0000${m.text}`;
}

function render(message: ChatMessage): HTMLElement {
  const item = document.createElement('li');
  const time = document.createElement('time');
  const sent = new Date(message.sentAt);
  time.dateTime = message.sentAt;
  time.textContent = Number.isNaN(sent.getTime()) ? '' : timeFormat.format(sent);
  if (message.kind === 'notice') {
    item.className = 'notice';
    item.dataset['testid'] = 'chat-notice';
    const text = document.createElement('span');
    text.textContent = message.text;
    item.append(text, time);
    return item;
  }
  item.className = 'message';
  item.dataset['testid'] = 'chat-message';
  item.dataset['fromId'] = message.fromId;
  const head = document.createElement('div');
  head.className = 'head';
  const from = document.createElement('strong');
  from.className = 'from';
  from.dataset['testid'] = 'chat-from';
  from.textContent = message.from;
  head.append(from, time);
  const text = document.createElement('p');
  text.className = 'text';
  text.dataset['testid'] = 'chat-text';
  text.textContent = message.text;
  item.append(head, text);
  return item;
}

function required(root: Document, testId: string): HTMLElement {
  const found = root.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (found === null) {
    throw new Error(`missing element ${testId}`);
  }
  return found;
}
