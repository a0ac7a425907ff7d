// Sign-up (`serve --signup open`): the first-run setup's form, sent to `POST /users/signup`.
import { html } from '../lib.js';
import { SetupPage } from './setup.js';

export function SignupPage({ onDone }) {
  return html`<${SetupPage} onDone=${onDone} signup />`;
}
