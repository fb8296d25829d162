import { randomUUID } from 'node:crypto';
import { WebSocket } from 'ws';

export interface Session {
  uuid: string;
  keyIndex: number;
  socket?: WebSocket;
  /** Frames that could not be delivered, replayed when the session is resumed. */
  buffer: string[];
  expiry?: NodeJS.Timeout;
}

/**
 * WebSocket sessions (`connectionSessionUUID`). Frames for a session whose socket is gone are kept for
 * `bufferMs` (Runware: ~2 minutes) and replayed, in order, when a new socket authenticates with the old
 * session UUID. Bounded per session: the oldest frames go first.
 */
export class Sessions {
  private readonly sessions = new Map<string, Session>();
  private readonly bufferMs: number;
  private readonly maxFrames: number;
  replayed = 0;

  constructor(bufferMs: number, maxFrames = 2_000) {
    this.bufferMs = bufferMs;
    this.maxFrames = maxFrames;
  }

  /** The old session when it is alive and belongs to the same key; otherwise a new one. */
  open(keyIndex: number, resumeUUID?: string): { session: Session; resumed: boolean } {
    const existing = resumeUUID ? this.sessions.get(resumeUUID) : undefined;
    if (existing && existing.keyIndex === keyIndex) return { session: existing, resumed: true };
    const session: Session = { uuid: randomUUID(), keyIndex, buffer: [] };
    this.sessions.set(session.uuid, session);
    return { session, resumed: false };
  }

  /** Binds a socket to the session (a previous socket is closed) and replays what was buffered. */
  attach(session: Session, socket: WebSocket): void {
    if (session.expiry) clearTimeout(session.expiry);
    delete session.expiry;
    const previous = session.socket;
    session.socket = socket;
    if (previous && previous !== socket && previous.readyState === WebSocket.OPEN) {
      previous.close(4000, 'session resumed on another connection');
    }
    const pending = session.buffer.splice(0);
    this.replayed += pending.length;
    for (const frame of pending) this.send(session, frame);
  }

  /** The socket went away: keep the session (and buffer its frames) for a while. */
  detach(session: Session, socket: WebSocket): void {
    if (session.socket !== socket) return;
    delete session.socket;
    if (session.expiry) clearTimeout(session.expiry);
    session.expiry = setTimeout(() => this.sessions.delete(session.uuid), this.bufferMs);
    session.expiry.unref();
  }

  send(session: Session, frame: string): void {
    const socket = session.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      this.keep(session, frame);
      return;
    }
    socket.send(frame, (error) => {
      if (error) this.keep(session, frame);
    });
  }

  private keep(session: Session, frame: string): void {
    if (!this.sessions.has(session.uuid)) return;
    // The session may have been resumed on a new socket while this frame was failing on the old one.
    if (session.socket && session.socket.readyState === WebSocket.OPEN && session.buffer.length === 0) {
      this.send(session, frame);
      return;
    }
    session.buffer.push(frame);
    if (session.buffer.length > this.maxFrames) session.buffer.shift();
  }

  get size(): number {
    return this.sessions.size;
  }

  clear(): void {
    for (const session of this.sessions.values()) if (session.expiry) clearTimeout(session.expiry);
    this.sessions.clear();
  }
}
