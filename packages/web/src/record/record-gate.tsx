import { Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../api/http.js';
import { ErrorState, Loading, type Async } from '../layout/async.js';
import type { PatientRecord } from './use-patient-record.js';

/** The server answers 404 both for a record that does not exist and for one the caller may not see. */
export const isNoRecord = (error: Error): boolean => error instanceof ApiError && error.status === 404;

/** What someone sees at the address of a record that is not there for them: that, and nothing else. */
export function NoRecordHere({ children }: { children?: ReactNode }) {
  return (
    <Stack gap="sm" maw={560} py="md" role="alert">
      <Title order={1} size="h2">
        No record here
      </Title>
      <Text>There is no health record at this address that you can see. The link may be wrong, or the record belongs to someone else.</Text>
      {children}
    </Stack>
  );
}

/** A patient record's loading, missing and failed states; `children` once it is there. */
export function RecordGate({ record, children, notFound }: { record: Async<PatientRecord>; children: (record: PatientRecord) => ReactNode; notFound?: ReactNode }) {
  const { state } = record;
  if (state.status === 'loading') return <Loading label="Opening the record…" />;
  if (state.status === 'error') {
    return isNoRecord(state.error) ? <NoRecordHere>{notFound}</NoRecordHere> : <ErrorState error={state.error} onRetry={record.reload} title="The record could not be opened" />;
  }
  return <>{children(state.data)}</>;
}
