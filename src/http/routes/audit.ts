import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { listAuditEvents } from '../../audit/audit-query.js';
import { AuditList, AuditQuery } from '../schemas/audit.js';
import { decodeSeqCursor, encodeSeqCursor } from '../seq-cursor.js';

export const auditRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/api/rbac/audit', {
    config: { access: { permission: 'audit:read' } },
    schema: { tags: ['rbac'], security: [{ bearer: [] }], summary: 'Audit events, newest first', querystring: AuditQuery, response: { 200: AuditList } },
  }, async (request) => {
    const { limit, cursor, type, userId } = request.query;
    const page = await listAuditEvents(services.db, { limit: limit ?? 50, afterSeq: decodeSeqCursor(cursor), type, userId });
    return { items: page.items, nextCursor: encodeSeqCursor(page.nextSeq) };
  });
};
