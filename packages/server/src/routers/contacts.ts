import { contactPageSchema, contactSchema, createContactInputSchema, getContactInputSchema, listContactsInputSchema, updateContactInputSchema } from '@crmkit/core';
import { createContact, getContact, listContacts, updateContact } from '../services/contacts/contacts.js';
import { authedProcedure as p, router } from '../trpc.js';

export const contactsRouter = router({
  create: p.input(createContactInputSchema).output(contactSchema).mutation(({ ctx, input }) => createContact(ctx.service, input)),
  get: p.input(getContactInputSchema).output(contactSchema).query(({ ctx, input }) => getContact(ctx.service, input)),
  update: p.input(updateContactInputSchema).output(contactSchema).mutation(({ ctx, input }) => updateContact(ctx.service, input)),
  list: p.input(listContactsInputSchema).output(contactPageSchema).query(({ ctx, input }) => listContacts(ctx.service, input)),
});
