import {
  addTeamMemberInputSchema, assignProductLineInputSchema, createProductLineInputSchema, createTeamInputSchema, getTeamInputSchema, listProductLinesInputSchema,
  listTeamsInputSchema, productLinePageSchema, productLineSchema, removeTeamMemberInputSchema, setTeamLeaderInputSchema, teamPageSchema, teamSchema,
} from '@crmkit/core';
import { assignProductLine } from '../services/product-lines/assign.js';
import { createProductLine, listProductLines } from '../services/product-lines/product-lines.js';
import { createTeam } from '../services/teams/create.js';
import { addTeamMember, removeTeamMember, setTeamLeader } from '../services/teams/members.js';
import { getTeam, listTeams } from '../services/teams/read.js';
import { authedProcedure as p, router } from '../trpc.js';

export const teamsRouter = router({
  create: p.input(createTeamInputSchema).output(teamSchema).mutation(({ ctx, input }) => createTeam(ctx.service, input)),
  get: p.input(getTeamInputSchema).output(teamSchema).query(({ ctx, input }) => getTeam(ctx.service, input)),
  list: p.input(listTeamsInputSchema).output(teamPageSchema).query(({ ctx, input }) => listTeams(ctx.service, input)),
  addMember: p.input(addTeamMemberInputSchema).output(teamSchema).mutation(({ ctx, input }) => addTeamMember(ctx.service, input)),
  removeMember: p.input(removeTeamMemberInputSchema).output(teamSchema).mutation(({ ctx, input }) => removeTeamMember(ctx.service, input)),
  setLeader: p.input(setTeamLeaderInputSchema).output(teamSchema).mutation(({ ctx, input }) => setTeamLeader(ctx.service, input)),
});

export const productLinesRouter = router({
  create: p.input(createProductLineInputSchema).output(productLineSchema).mutation(({ ctx, input }) => createProductLine(ctx.service, input)),
  list: p.input(listProductLinesInputSchema).output(productLinePageSchema).query(({ ctx, input }) => listProductLines(ctx.service, input)),
  /** Answers the team with its product-line assignments after the change. */
  assign: p.input(assignProductLineInputSchema).output(teamSchema).mutation(({ ctx, input }) => assignProductLine(ctx.service, input)),
});
