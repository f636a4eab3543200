/**
 * The parcel tracking widget's script (demo shop), served as /static/track.js: rendered in the
 * browser. The API route it calls and the help page it links to appear in no HTML the server
 * sends, so only a crawler that runs scripts (`ensuresec scan --browser`) finds them. A string
 * here (not a .js file read at run time) so the build carries it into dist with the code.
 */
export const TRACK_SCRIPT = `(function () {
  const root = document.getElementById('tracker');
  if (!root) return;
  const input = document.createElement('input');
  input.name = 'ref';
  input.placeholder = 'Parcel reference, e.g. DS-1000';
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Track';
  const result = document.createElement('p');
  const help = document.createElement('a');
  help.href = '/track/help';
  help.textContent = 'Where is my reference?';
  button.addEventListener('click', async () => {
    const ref = input.value.trim() || 'DS-1000';
    result.textContent = 'Looking…';
    try {
      const response = await fetch('/api/tracking?ref=' + encodeURIComponent(ref));
      const body = await response.json();
      result.textContent = body.ref + ': ' + body.status;
    } catch {
      result.textContent = 'Tracking is unavailable, try again later.';
    }
  });
  root.append(input, button, result, help);
})();
`;
