import { Flex, Text } from '@backstage/ui';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import type { ApiModel } from '@internal/plugin-vmware2scw-common';
import { formatDuration, formatEur } from '../../../format/quantities';

const WIDTH = 420;
const HEIGHT = 220;

function WaveBarChart(props: {
  title: string;
  data: { name: string; value: number }[];
  unit: string;
  format: (v: number) => string;
  color: string;
}) {
  return (
    <figure aria-label={props.title} style={{ margin: 0 }}>
      <Text as="h5" variant="body-medium" weight="bold">
        {props.title}
      </Text>
      <BarChart
        width={WIDTH}
        height={HEIGHT}
        data={props.data}
        margin={{ top: 8, right: 8, bottom: 8, left: 8 }}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="name" />
        <YAxis unit={props.unit} />
        <Tooltip formatter={v => props.format(Number(v))} />
        <Bar dataKey="value" fill={props.color} isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}

/** Monthly cost and migration duration per wave, side by side. */
export function EstimateCharts(props: { estimate: ApiModel.PlanEstimate }) {
  const { waves } = props.estimate;
  return (
    <Flex gap="4" style={{ flexWrap: 'wrap' }}>
      <WaveBarChart
        title="Monthly cost per wave"
        unit="€"
        format={formatEur}
        color="#4f0599"
        data={waves.map(w => ({ name: w.name, value: w.monthlyCostEur }))}
      />
      <WaveBarChart
        title="Migration duration per wave"
        unit=" h"
        format={h => formatDuration(h * 3600)}
        color="#0a7c86"
        data={waves.map(w => ({
          name: w.name,
          value: Math.round((w.durationSeconds / 3600) * 10) / 10,
        }))}
      />
    </Flex>
  );
}
