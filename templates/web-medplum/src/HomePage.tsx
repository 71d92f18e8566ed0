import { Button, Group, List, Loader, Stack, Text, Title } from '@mantine/core';
import { getDisplayString, normalizeErrorString } from '@medplum/core';
import type { ProfileResource } from '@medplum/core';
import { Document, ResourceAvatar, ResourceName, useMedplum, useSearchResources } from '@medplum/react';
import { showError } from './showError.ts';

export function HomePage({ profile }: { readonly profile: ProfileResource }) {
  const medplum = useMedplum();
  const [patients, loading, outcome] = useSearchResources('Patient', { _count: '10', _sort: '-_lastUpdated' });
  const project = medplum.getProject()?.name;
  return (
    <Document width={600}>
      <Stack>
        <Group justify="space-between">
          <Text>
            Signed in as <strong>{getDisplayString(profile)}</strong>
            {project && ` (${project})`}
          </Text>
          <Button variant="outline" onClick={() => medplum.signOut().catch(showError)}>
            Sign out
          </Button>
        </Group>
        <Title order={2}>Patients</Title>
        {loading && <Loader size="sm" />}
        {outcome && <Text c="red">{normalizeErrorString(outcome)}</Text>}
        {patients?.length === 0 && <Text c="dimmed">No patients yet.</Text>}
        <List listStyleType="none" spacing="xs">
          {patients?.map((patient) => (
            <List.Item key={patient.id} icon={<ResourceAvatar value={patient} size="sm" />}>
              <ResourceName value={patient} />
            </List.Item>
          ))}
        </List>
      </Stack>
    </Document>
  );
}
