/** The customer notice in Italian (response / notices), in the polite form (Lei). */
import type { CustomerCopy } from './copy.js';

export const it: CustomerCopy = {
  locale: 'it-IT',
  subject: {
    credential_attack: 'Avviso di sicurezza da {shop}: tentativi di accesso al suo account',
    account_compromise: 'Avviso di sicurezza da {shop}: qualcuno ha effettuato l’accesso al suo account',
    data_exposure: 'Avviso di sicurezza da {shop}: i suoi dati personali potrebbero essere stati esposti',
  },
  greetingNamed: 'Gentile {name},',
  greeting: 'Gentile cliente,',
  intro: 'la informiamo di un incidente di sicurezza che riguarda il suo account presso {shop}.',
  headings: {
    happened: 'Che cosa è successo',
    meaning: 'Che cosa significa per lei',
    todo: 'Che cosa fare adesso',
    contact: 'Come contattarci',
  },
  happened: {
    credential_attack:
      'Il {date} abbiamo rilevato un numero molto elevato di tentativi di accesso agli account dei clienti di {shop} con indirizzi e-mail e password molto probabilmente rubati da altri siti. Anche il suo account era tra quelli presi di mira. Abbiamo bloccato i tentativi e protetto ulteriormente la pagina di accesso.',
    account_compromise:
      'Il {date} abbiamo rilevato che una persona, probabilmente non lei, ha effettuato l’accesso al suo account presso {shop}. Abbiamo interrotto questo accesso e protetto il suo account.',
    data_exposure:
      'Il {date} abbiamo scoperto che una persona non autorizzata potrebbe aver visto dati personali del suo account presso {shop}, come il nome, l’indirizzo e-mail o l’indirizzo di consegna. Abbiamo chiuso la falla non appena l’abbiamo scoperta.',
  },
  meaning: {
    credential_attack:
      'Chi ha fatto questi tentativi potrebbe conoscere una password che lei usa anche altrove. Se usa la stessa password su {shop} e su altri siti, anche quegli account sono a rischio.',
    account_compromise:
      'Questa persona potrebbe aver visto i dati del suo account, come il nome, gli indirizzi e gli ordini recenti.',
    data_exposure:
      'I criminali possono usare questi dati per inviarle messaggi falsi molto credibili (phishing) o per tentare di accedere ai suoi account.',
  },
  steps: [
    'Cambi subito la password su {shop} e ovunque usi la stessa password. Scelga una nuova password che non usa da nessun’altra parte.',
    'Faccia attenzione al phishing che sfrutta questo incidente: dei truffatori potrebbero inviare messaggi che sembrano provenire da {shop}. Non le chiederemo mai la password o i dati di pagamento via e-mail, SMS o telefono, e questo avviso non contiene alcun link che la inviti ad accedere.',
    'Controlli nel suo account gli ordini recenti, gli indirizzi di consegna e i metodi di pagamento. Ci segnali subito qualsiasi cosa che non riconosce.',
  ],
  contactIntro: 'Per qualsiasi domanda, o se nota qualcosa di insolito, ci contatti:',
  contactLabels: { email: 'E-mail:', web: 'Sito web:', phone: 'Telefono:' },
  reference: 'Riferimento da citare: {reference}',
  apology: 'Ci scusiamo per il disagio.',
  signature: 'Il team di {shop}',
};
