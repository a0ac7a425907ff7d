// Texts of the slug form of ping URLs on a task's page (pages/task-slug-url.js), merged into
// i18n.js's dictionaries. Both languages must have the same keys.
export default {
  en: {
    'pings.slugText': 'Or with your organization\u2019s ping key and the task\u2019s id (the form Healthchecks uses; add ?create=1 to a new id to create its task on the first ping):',
    'pings.slugUrl': 'Slug ping URL:',
    'pings.orgKey': 'Organization ping key (the same for every task; keep it secret):',
    'pings.noOrgKey': 'Your organization has no ping key yet.',
    'pings.make': 'Make the organization\u2019s ping key',
    'pings.regenerate': 'Regenerate the organization\u2019s ping key',
    'pings.regenerateTitle': 'Regenerate the organization\u2019s ping key?',
    'pings.regenerateText': 'Every slug ping URL of every task stops working at once. Each task\u2019s own ping URL keeps working.',
  },
  fr: {
    'pings.slugText': 'Ou avec la clé de ping de votre organisation et l\u2019identifiant de la tâche (la forme de Healthchecks\u00a0; ajoutez ?create=1 à un nouvel identifiant pour créer sa tâche au premier ping)\u00a0:',
    'pings.slugUrl': 'URL de ping par identifiant\u00a0:',
    'pings.orgKey': 'Clé de ping de l\u2019organisation (la même pour toutes les tâches\u00a0; gardez-la secrète)\u00a0:',
    'pings.noOrgKey': 'Votre organisation n\u2019a pas encore de clé de ping.',
    'pings.make': 'Créer la clé de ping de l\u2019organisation',
    'pings.regenerate': 'Régénérer la clé de ping de l\u2019organisation',
    'pings.regenerateTitle': 'Régénérer la clé de ping de l\u2019organisation\u00a0?',
    'pings.regenerateText': 'Toutes les URL de ping par identifiant de toutes les tâches cessent aussitôt de fonctionner. L\u2019URL de ping propre à chaque tâche continue de fonctionner.',
  },
};
