// API.md "Applications". Visibility is decided once per request from the
// principal (a lender user sees only its lender's applications), and every
// read and write goes through it, so no route can forget it.

import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from '../../services.js';
import { findVisibleApplication, listApplications, listHistory, toApplicationView, visibilityScopeOf } from '../../applications/applications-repository.js';
import { AppError } from '../../errors.js';
import { principalOf } from '../access.js';
import { decodeSeqCursor, encodeSeqCursor } from '../seq-cursor.js';
import {
  Application,
  ApplicationChangeBody,
  ApplicationHistory,
  ApplicationIdParams,
  ApplicationList,
  ApplicationListQuery,
  NewApplicationBody,
} from '../schemas/applications.js';

const tags = ['applications'];
const security = [{ bearer: [] }];
const notFound = () => new AppError('NOT_FOUND', { detail: 'There is no such application.' });

export const applicationRoutes = (services: Services): FastifyPluginAsync => async (app) => {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = services;

  routes.get('/api/applications', {
    config: { access: { permission: 'applications:read' } },
    schema: { tags, security, summary: 'Applications, newest first', querystring: ApplicationListQuery, response: { 200: ApplicationList } },
  }, async (request) => {
    const { status, q, limit, cursor } = request.query;
    const page = await listApplications(db, {
      status,
      q: q === '' ? undefined : q,
      limit: limit ?? 25,
      afterSeq: decodeSeqCursor(cursor),
      scope: visibilityScopeOf(principalOf(request)),
    });
    return { items: page.items, nextCursor: encodeSeqCursor(page.nextSeq) };
  });

  routes.post('/api/applications', {
    config: { access: { permission: 'applications:write' } },
    schema: { tags, security, summary: 'Create an application (status submitted)', body: NewApplicationBody, response: { 201: Application } },
  }, async (request, reply) => {
    const created = await services.applications.createApplication(request.body, principalOf(request).userId);
    return reply.code(201).send(created);
  });

  routes.get('/api/applications/:id', {
    config: { access: { permission: 'applications:read' } },
    schema: { tags, security, summary: 'One application (404 when missing or not visible)', params: ApplicationIdParams, response: { 200: Application } },
  }, async (request) => {
    const row = await findVisibleApplication(db, request.params.id, visibilityScopeOf(principalOf(request)));
    if (!row) throw notFound();
    return toApplicationView(row);
  });

  routes.patch('/api/applications/:id', {
    config: { access: { permission: 'applications:write' } },
    schema: {
      tags,
      security,
      summary: 'Change status (workflow), assignee, lender or amount',
      description: 'A status change outside the workflow answers 409 INVALID_TRANSITION.',
      params: ApplicationIdParams,
      body: ApplicationChangeBody,
      response: { 200: Application },
    },
  }, async (request) => {
    const principal = principalOf(request);
    return services.applications.changeApplication(request.params.id, request.body, {
      scope: visibilityScopeOf(principal),
      actorId: principal.userId,
      ip: request.ip,
    });
  });

  routes.get('/api/applications/:id/history', {
    config: { access: { permission: 'applications:read' } },
    schema: { tags, security, summary: 'Status history, oldest first', params: ApplicationIdParams, response: { 200: ApplicationHistory } },
  }, async (request) => {
    const row = await findVisibleApplication(db, request.params.id, visibilityScopeOf(principalOf(request)));
    if (!row) throw notFound();
    return { items: await listHistory(db, row.id) };
  });
};
