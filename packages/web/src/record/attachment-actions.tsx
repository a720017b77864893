import { Button, Group, Text } from '@mantine/core';
import type { Attachment } from '@medplum/fhirtypes';
import { IconDownload, IconExternalLink } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { formatBytes } from '../lib/format.js';
import { attachmentBytes, attachmentFileName, attachmentUrl } from './notes.js';

/** A Blob URL for inline attachment data while the component shows, released after. */
function useInlineUrl(attachment: Attachment): { url: string; size: number } | undefined {
  const [file, setFile] = useState<{ url: string; size: number }>();
  useEffect(() => {
    const bytes = attachmentBytes(attachment);
    if (!bytes) {
      setFile(undefined);
      return;
    }
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: attachment.contentType ?? 'application/octet-stream' }));
    setFile({ url, size: bytes.length });
    return () => URL.revokeObjectURL(url);
  }, [attachment]);
  return file;
}

/** Open and download links for one attachment, whether its data is inline or at an address. */
export function AttachmentActions({ attachment, name }: { attachment: Attachment; name: string }) {
  const inline = useInlineUrl(attachment);
  const href = inline?.url ?? attachmentUrl(attachment);
  if (!href) {
    return (
      <Text size="sm" c="dimmed">
        {attachment.data || attachment.url ? 'This file cannot be opened here.' : 'No file is attached.'}
      </Text>
    );
  }
  const size = inline?.size ?? attachment.size;
  return (
    <Group gap="xs">
      <Button component="a" href={href} target="_blank" rel="noopener noreferrer" size="xs" variant="light" leftSection={<IconExternalLink size={14} aria-hidden />} aria-label={`Open ${name} in a new tab`}>
        Open
      </Button>
      <Button component="a" href={href} download={attachmentFileName(attachment, name)} size="xs" variant="default" leftSection={<IconDownload size={14} aria-hidden />} aria-label={`Download ${name}`}>
        Download
      </Button>
      {size !== undefined && (
        <Text size="xs" c="dimmed">
          {formatBytes(size)}
        </Text>
      )}
    </Group>
  );
}
