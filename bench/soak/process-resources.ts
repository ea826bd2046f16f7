import { readdir, readFile, readlink } from 'node:fs/promises';

/** One reading of a process's memory and descriptors, from /proc (Linux). */
export interface ProcessResources {
  rssKiB: number;
  /** Every open file descriptor. */
  fds: number;
  /** Descriptors that are not sockets (files, pipes, eventfds): these should not grow at all. */
  nonSocketFds: number;
  /**
   * Socket descriptors whose TCP connection the peer has closed and this process has not: the
   * shape of a leaked socket (a brief CLOSE_WAIT is normal; one that stays is a leak).
   */
  closeWaitSockets: number;
}

const TCP_CLOSE_WAIT = '08';

/** Reads `pid`'s RSS and descriptors; undefined when the process is gone (killed, restarting). */
export async function readProcessResources(pid: number): Promise<ProcessResources | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
    const names = await readdir(`/proc/${pid}/fd`);
    const links = await Promise.all(names.map((name) => readlink(`/proc/${pid}/fd/${name}`).catch(() => '')));
    const socketInodes = links.flatMap((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1] ?? []);
    const closeWait = await closeWaitInodes();
    return {
      rssKiB,
      fds: names.length,
      nonSocketFds: names.length - socketInodes.length,
      closeWaitSockets: socketInodes.filter((inode) => closeWait.has(inode)).length,
    };
  } catch {
    return undefined;
  }
}

/** Inodes of the TCP sockets in CLOSE_WAIT, from /proc/net/tcp and tcp6. */
async function closeWaitInodes(): Promise<Set<string>> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === TCP_CLOSE_WAIT && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}
