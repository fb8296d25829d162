import { baseConfig } from '@photomaker/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

export default mergeConfig(baseConfig, defineProject({ test: { name: 'likeness' } }));
