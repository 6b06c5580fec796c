import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ROLE_NAMES } from '../../core/vocabulary.js';
import { ROLE_PERMISSIONS } from '../../rbac/roles.js';
import { PermissionName, RoleName } from '../schemas/common.js';

const RolesResponse = Type.Object({ roles: Type.Array(Type.Object({ name: RoleName, permissions: Type.Array(PermissionName) })) });

export const roleRoutes: FastifyPluginAsync = async (app) => {
  app.withTypeProvider<TypeBoxTypeProvider>().get('/api/rbac/roles', {
    config: { access: { signedIn: true } },
    schema: { tags: ['rbac'], summary: 'Roles and their permissions', security: [{ bearer: [] }], response: { 200: RolesResponse } },
  }, async () => ({ roles: ROLE_NAMES.map((name) => ({ name, permissions: [...ROLE_PERMISSIONS[name]] })) }));
};
