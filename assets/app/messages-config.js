// Texts of the configuration export (pages/config-export.js), merged into i18n.js's
// dictionaries. Both languages must have the same keys.
export default {
  en: {
    'config.title': 'Configuration as code',
    'config.intro': 'This organization\u2019s monitors, tasks, notification channels, escalation policies, maintenance windows and status pages as one YAML file. Secrets are written as {ref} references. Apply it with dutyduck apply -f dutyduck.yaml, or PUT /config.',
    'config.download': 'Download dutyduck.yaml',
  },
  fr: {
    'config.title': 'Configuration sous forme de code',
    'config.intro': 'Les moniteurs, tâches, canaux de notification, politiques d\u2019escalade, fenêtres de maintenance et pages de statut de cette organisation dans un seul fichier YAML. Les secrets y sont écrits comme des références {ref}. Appliquez-le avec dutyduck apply -f dutyduck.yaml, ou PUT /config.',
    'config.download': 'Télécharger dutyduck.yaml',
  },
};
