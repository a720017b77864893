import { Box, Card, Stack, Text, Title } from '@mantine/core';
import type { DocumentReference } from '@medplum/fhirtypes';
import { useId } from 'react';
import { formatConcept, formatDate } from '../lib/format.js';
import { AttachmentActions } from './attachment-actions.js';
import { attachmentText } from './notes.js';
import { Meta } from './record-parts.js';
import type { PatientRecord } from './use-patient-record.js';

function DocumentCard({ doc, record }: { doc: DocumentReference; record: PatientRecord }) {
  const id = useId();
  const attachments = (doc.content ?? []).map((c) => c.attachment);
  const title = attachments[0]?.title || doc.description || formatConcept(doc.type) || 'Document';
  const authors = (doc.author ?? []).map((a) => record.nameOf(a)).filter(Boolean).join(', ');
  return (
    <Card withBorder component="article" aria-labelledby={id} padding="md">
      <Title order={2} size="h4" id={id}>
        {title}
      </Title>
      <Meta parts={[formatConcept(doc.type) !== title && formatConcept(doc.type), formatDate(doc.date ?? doc.context?.period?.start), authors && `by ${authors}`, record.nameOf(doc.custodian), doc.docStatus === 'preliminary' && 'draft', doc.status === 'superseded' && 'replaced by a newer version']} />
      {doc.description && doc.description !== title && (
        <Text size="sm" mt={4}>
          {doc.description}
        </Text>
      )}
      <Stack gap="sm" mt="sm">
        {attachments.map((a, i) => {
          const text = attachmentText(a);
          const name = a.title || title;
          return (
            <Stack key={i} gap={6}>
              {attachments.length > 1 && (
                <Text size="sm" fw={500}>
                  {name}
                </Text>
              )}
              <AttachmentActions attachment={a} name={name} />
              {text !== undefined && (
                <Box component="details">
                  <Text component="summary" size="sm" c="salus.8" style={{ cursor: 'pointer' }}>
                    Read it here
                  </Text>
                  <Text size="sm" mt="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                    {text}
                  </Text>
                </Box>
              )}
            </Stack>
          );
        })}
      </Stack>
    </Card>
  );
}

/** The record's documents (letters, notes, reports as files), newest first, to read, open or save. */
export function DocumentsView({ record }: { record: PatientRecord }) {
  const docs = record.documents.filter((d) => d.status !== 'entered-in-error');
  if (docs.length === 0) return <Text c="dimmed">No documents are in this record.</Text>;
  return (
    <Stack gap="md">
      {docs.map((d) => (
        <DocumentCard key={d.id} doc={d} record={record} />
      ))}
    </Stack>
  );
}
