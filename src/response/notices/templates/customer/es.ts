/** The customer notice in Spanish (response / notices), in the polite form (usted). */
import type { CustomerCopy } from './copy.js';

export const es: CustomerCopy = {
  locale: 'es-ES',
  subject: {
    credential_attack: 'Aviso de seguridad de {shop}: intentos de acceso a su cuenta',
    account_compromise: 'Aviso de seguridad de {shop}: alguien ha accedido a su cuenta',
    data_exposure: 'Aviso de seguridad de {shop}: sus datos personales podrían haber quedado expuestos',
  },
  greetingNamed: 'Hola, {name}:',
  greeting: 'Hola:',
  intro: 'Le escribimos para informarle de un incidente de seguridad que afecta a su cuenta en {shop}.',
  headings: {
    happened: 'Qué ha pasado',
    meaning: 'Qué significa para usted',
    todo: 'Qué debe hacer ahora',
    contact: 'Cómo contactarnos',
  },
  happened: {
    credential_attack:
      'El {date} detectamos un gran número de intentos de acceder a cuentas de clientes de {shop} con direcciones de correo electrónico y contraseñas que muy probablemente se robaron en otros sitios web. Su cuenta fue una de las afectadas. Hemos bloqueado los intentos y reforzado la protección de la página de inicio de sesión.',
    account_compromise:
      'El {date} detectamos que una persona, que probablemente no era usted, inició sesión en su cuenta de {shop}. Hemos cortado ese acceso y protegido su cuenta.',
    data_exposure:
      'El {date} descubrimos que una persona no autorizada pudo haber visto datos personales de su cuenta en {shop}, como su nombre, su dirección de correo electrónico o su dirección de entrega. Cerramos la brecha en cuanto la descubrimos.',
  },
  meaning: {
    credential_attack:
      'Quien lo intentó podría conocer una contraseña que usted también utiliza en otros sitios. Si usa la misma contraseña en {shop} y en otros sitios web, esas cuentas también están en riesgo.',
    account_compromise:
      'Esa persona pudo haber visto los datos de su cuenta, como su nombre, sus direcciones y sus pedidos recientes.',
    data_exposure:
      'Los delincuentes pueden usar estos datos para enviarle mensajes falsos muy convincentes (phishing) o para intentar acceder a sus cuentas.',
  },
  steps: [
    'Cambie ahora su contraseña en {shop} y en cualquier otro sitio donde use la misma. Elija una contraseña nueva que no utilice en ningún otro lugar.',
    'Tenga cuidado con el phishing que aproveche este incidente: los estafadores podrían enviar mensajes que parezcan venir de {shop}. Nunca le pediremos su contraseña ni sus datos de pago por correo electrónico, SMS o teléfono, y este aviso no contiene ningún enlace para iniciar sesión.',
    'Revise en su cuenta sus pedidos recientes, sus direcciones de entrega y sus métodos de pago. Avísenos de inmediato si hay algo que no reconozca.',
  ],
  contactIntro: 'Si tiene preguntas o nota algo inusual, contáctenos:',
  contactLabels: { email: 'Correo electrónico:', web: 'Web:', phone: 'Teléfono:' },
  reference: 'Referencia para su consulta: {reference}',
  apology: 'Lamentamos las molestias que esto pueda causarle.',
  signature: 'El equipo de {shop}',
};
