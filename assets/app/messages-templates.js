// Texts of the webhook form's "Custom body" section (pages/webhook-template.js), merged into
// i18n.js's dictionaries. Both languages must have the same keys.
export default {
  en: {
    'notif.template': 'Custom body',
    'tpl.title': 'Custom body',
    'tpl.on': 'Send my own body instead of dutyduck’s JSON',
    'tpl.off': 'Off: each request carries the JSON payload the README documents.',
    'tpl.method': 'Method',
    'tpl.contentType': 'Content type',
    'tpl.body': 'Template',
    'tpl.fields': 'Fields you can use (click to insert); a field without a value is empty:',
    'tpl.insert': 'Insert {name}',
    'tpl.escaping.application/json': 'Values are escaped as JSON strings: put the quotes around them yourself.',
    'tpl.escaping.application/x-www-form-urlencoded': 'Values are percent-encoded, as in a form.',
    'tpl.escaping.text/plain': 'Values are inserted as they are.',
    'tpl.escaping.application/xml': 'Values are escaped for XML (& < > " \').',
  },
  fr: {
    'notif.template': 'Corps personnalisé',
    'tpl.title': 'Corps personnalisé',
    'tpl.on': 'Envoyer mon propre corps au lieu du JSON de dutyduck',
    'tpl.off': 'Désactivé\u00a0: chaque requête porte le JSON que documente le README.',
    'tpl.method': 'Méthode',
    'tpl.contentType': 'Type de contenu',
    'tpl.body': 'Modèle',
    'tpl.fields': 'Champs utilisables (cliquez pour insérer)\u00a0; un champ sans valeur est vide\u00a0:',
    'tpl.insert': 'Insérer {name}',
    'tpl.escaping.application/json': 'Les valeurs sont échappées comme des chaînes JSON\u00a0: mettez vous-même les guillemets autour.',
    'tpl.escaping.application/x-www-form-urlencoded': 'Les valeurs sont encodées en pourcentage, comme dans un formulaire.',
    'tpl.escaping.text/plain': 'Les valeurs sont insérées telles quelles.',
    'tpl.escaping.application/xml': 'Les valeurs sont échappées pour XML (& < > " \').',
  },
};
