import type { ReactNode } from 'react';
import { Box, Text } from '@backstage/ui';

/** A titled part of a card or page (the title is a heading, so tests and screen readers find it). */
export function Section(props: { title: string; children: ReactNode }) {
  return (
    <Box as="section" aria-label={props.title} mb="4">
      <Text as="h4" variant="title-x-small" weight="bold">
        {props.title}
      </Text>
      <Box mt="2">{props.children}</Box>
    </Box>
  );
}
