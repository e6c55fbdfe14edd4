import { e2eScenario } from '../../helpers/runner/e2e.js'
import { scenario } from './scenario.js'

e2eScenario(scenario)
