/**
 * Answers the gateway gives itself (ban, limits, upstream faults, blocks), always the JSON
 * error body of the catalogue in src/core/errors.ts with the request id, on a response
 * object or, before node has parsed a request, written raw on the socket.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERROR_CATALOGUE, errorBody, type ErrorCode } from '../core/errors.js';

export interface ErrorReply {
  code: ErrorCode;
  /** Overrides the catalogue status (inspection verdicts choose their own). */
  status?: number;
  retryAfterSec?: number;
  challenge?: boolean;
  /** Close the connection afterwards (an unread request body would otherwise be drained). */
  close?: boolean;
}

export function errorPayload(code: ErrorCode, requestId: string): string {
  return JSON.stringify(errorBody(code, undefined, requestId));
}

/** Sends the error; returns the status and the body size for the exchange's event. */
export function sendError(
  res: ServerResponse,
  reply: ErrorReply,
  requestId: string,
): { status: number; bytes: number } {
  const status = reply.status ?? ERROR_CATALOGUE[reply.code].status;
  const body = errorPayload(reply.code, requestId);
  const bytes = Buffer.byteLength(body);
  if (res.headersSent) {
    res.destroy();
    return { status, bytes: 0 };
  }
  const headers: string[] = [
    'content-type',
    'application/json; charset=utf-8',
    'content-length',
    String(bytes),
    'x-request-id',
    requestId,
    'cache-control',
    'no-store',
  ];
  if (reply.retryAfterSec !== undefined && reply.retryAfterSec > 0)
    headers.push('retry-after', String(reply.retryAfterSec));
  if (reply.challenge) headers.push('x-ensuresec-challenge', '1');
  if (reply.close) {
    headers.push('connection', 'close');
    res.shouldKeepAlive = false;
  }
  res.writeHead(status, headers);
  res.end(body);
  return { status, bytes };
}

/** A complete HTTP/1.1 error response written straight to a socket (clientError, upgrade). */
export function writeRawError(
  socket: Duplex,
  code: ErrorCode,
  requestId: string,
  status?: number,
  extraHeaderLines: readonly string[] = [],
): number {
  const finalStatus = status ?? ERROR_CATALOGUE[code].status;
  const body = errorPayload(code, requestId);
  socket.end(
    `HTTP/1.1 ${finalStatus} ${STATUS_CODES[finalStatus] ?? 'Error'}\r\n` +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      `x-request-id: ${requestId}\r\n` +
      extraHeaderLines.map((line) => `${line}\r\n`).join('') +
      'connection: close\r\n\r\n' +
      body,
  );
  return finalStatus;
}
