"""The default texts of the drafted paperwork (registry.paperwork), in Spanish, as a migration
seeds them and as drafting falls back to when no template is stored.

They follow the Código Civil's rules for associations (arts. 80 to 98: the statute's contents in
art. 82, the assembly's quorum and majorities in art. 87) and what municipal registries of
social organizations ask: an application letter, the minutes of the founding assembly or of the
board's election, the member list and the statute. A clause that the organization must decide
for itself says so in brackets. Staff adapt them to their municipality's ordinance in the admin.

Plain text keyed by the kinds' values (registry.models.PaperworkKind), with no import of the
models, so that the migration that seeds them can read this module.
"""

_SIGNATURE = """_____________________________
$representante
$representante_documento
$representante_cargo de $nombre"""

APPLICATION_LETTER = (
    "Solicitud de inscripción en el Registro de Organizaciones",
    f"""$ciudad, $fecha

Señores
$municipalidad
Presente.-

# Asunto: inscripción de $nombre en el Registro de Organizaciones de la municipalidad

Yo, $representante, identificado(a) con $representante_documento, de nacionalidad $representante_nacionalidad, en mi calidad de $representante_cargo de $nombre, $forma_juridica con domicilio en $direccion, distrito de $distrito, me dirijo a ustedes para solicitar la inscripción de nuestra organización en el Registro de Organizaciones de la $municipalidad y su reconocimiento, conforme a la ordenanza municipal que regula dicho registro.

Para ello adjunto:
1. Copia del acta de fundación o constitución, o del acta de elección del consejo directivo vigente.
2. Copia del estatuto.
3. Padrón de miembros, con sus nombres, documentos de identidad y firmas.
4. Copia del documento de identidad de los miembros del consejo directivo.

Declaro que los datos consignados son verdaderos. Para cualquier comunicación pueden escribirnos a $correo o llamarnos al $telefono.

Atentamente,

{_SIGNATURE}""",
)

FOUNDING_MINUTES = (
    "Acta de fundación y constitución de $nombre",
    """En $ciudad, siendo las ____ horas del $fecha, en el local ubicado en $direccion, distrito de $distrito, se reunieron las personas que firman el padrón adjunto, con el objeto de fundar una $forma_juridica, con la siguiente agenda:
1. Fundación de la organización y aprobación de su nombre.
2. Aprobación del estatuto.
3. Elección del primer consejo directivo.
4. Otorgamiento de facultades para su inscripción.

Dirigió la reunión $representante, identificado(a) con $representante_documento, y actuó como secretario(a) $secretario.

# Primero: fundación

Los asistentes acordaron por unanimidad fundar la organización denominada «$nombre», con domicilio en $direccion, distrito de $distrito, y con los siguientes fines: $fines

# Segundo: estatuto

Se dio lectura al proyecto de estatuto, que fue debatido y aprobado por unanimidad [modelo: si hubo votos en contra, escribe «por mayoría» y el número de votos]. El estatuto aprobado forma parte de la presente acta.

# Tercero: elección del consejo directivo

Se eligió al primer consejo directivo, por el periodo que señala el estatuto, con la siguiente composición:

$consejo_directivo

Las personas elegidas aceptaron sus cargos.

# Cuarto: facultades

Se acordó facultar a $representante, identificado(a) con $representante_documento, para que en nombre de la organización solicite su inscripción en el Registro de Organizaciones de la $municipalidad y, de ser el caso, otorgue la escritura pública y tramite la inscripción en el Registro de Personas Jurídicas de la SUNARP.

No habiendo otro asunto que tratar, se levantó la sesión a las ____ horas. Asistieron $numero_miembros personas, según el padrón adjunto, que firman en señal de conformidad.

$firmas_consejo""",
)

BOARD_MINUTES = (
    "Acta de elección del consejo directivo de $nombre",
    """En $ciudad, siendo las ____ horas del $fecha, en el local ubicado en $direccion, distrito de $distrito, se reunió en asamblea general la organización $nombre, inscrita en la partida registral N.º $partida_sunarp, convocada conforme a su estatuto, con la asistencia de los miembros que firman el padrón adjunto, para tratar la siguiente agenda:
1. Elección del consejo directivo.
2. Otorgamiento de facultades para la inscripción del consejo directivo.

Dirigió la asamblea $presidente y actuó como secretario(a) $secretario. Verificado el quórum que exige el estatuto [modelo: indica si fue en primera o segunda convocatoria y cuántos miembros asistieron], se dio inicio a la sesión.

# Primero: elección del consejo directivo

Realizada la votación, resultó elegido el consejo directivo, por el periodo que señala el estatuto, con la siguiente composición:

$consejo_directivo

Las personas elegidas aceptaron sus cargos.

# Segundo: facultades

Se acordó facultar a $representante, identificado(a) con $representante_documento, para que solicite la inscripción del consejo directivo en el Registro de Personas Jurídicas de la SUNARP y su actualización en el Registro de Organizaciones de la $municipalidad.

No habiendo otro asunto que tratar, se levantó la sesión a las ____ horas, firmando los asistentes en señal de conformidad.

$firmas_consejo""",
)

MEMBER_LIST = (
    "Padrón de miembros de $nombre",
    f"""Organización: $nombre ($forma_juridica)
Domicilio: $direccion, distrito de $distrito
Fecha: $fecha

Las personas que figuran a continuación son miembros de la organización y firman en señal de conformidad. Número de miembros: $numero_miembros.

$miembros

Certifico que el presente padrón corresponde al registro de miembros de la organización.

{_SIGNATURE}""",
)

STATUTE = (
    "Estatuto de $nombre",
    """[Estatuto modelo publicado por la $municipalidad. Las cláusulas entre corchetes son un modelo para adaptar: revísalas con la asamblea antes de aprobar el estatuto. Para inscribir una asociación en la SUNARP el estatuto debe constar en escritura pública (Código Civil, art. 81).]

# Título I. Denominación, duración, domicilio y fines

Artículo 1.- La organización se denomina «$nombre» y es una $forma_juridica. Se rige por el presente estatuto y, en lo no previsto, por el Código Civil.

Artículo 2.- Su duración es indefinida. Su domicilio es $direccion, distrito de $distrito; puede establecer oficinas en otros lugares del país.

Artículo 3.- Sus fines son: $fines

[Modelo: añade aquí las actividades con que la organización cumplirá sus fines.]

# Título II. Patrimonio

Artículo 4.- El patrimonio está formado por las cuotas de sus miembros, las donaciones y los bienes que adquiera. Sus rentas se destinan exclusivamente a sus fines y no se reparten, directa ni indirectamente, entre sus miembros.

# Título III. Miembros

Artículo 5.- Son miembros las personas naturales que suscriben el acta de fundación y las que la asamblea general admita después, a solicitud escrita, sin distinción de nacionalidad ni de la situación migratoria de la persona.

Artículo 6.- Son derechos de los miembros: participar con voz y voto en la asamblea general, elegir y ser elegidos para los cargos, y ser informados de la gestión. Son deberes: cumplir el estatuto y los acuerdos, y pagar las cuotas que fije la asamblea [modelo: indica el monto o di que no hay cuotas].

Artículo 7.- La calidad de miembro es personal e intransferible. Se pierde por renuncia escrita, por fallecimiento o por exclusión acordada por la asamblea general por falta grave, previa audiencia del miembro.

# Título IV. Asamblea general

Artículo 8.- La asamblea general es el órgano supremo. Elige al consejo directivo, aprueba las cuentas y el balance, modifica el estatuto, acuerda la disolución y resuelve lo que no sea competencia de otro órgano.

Artículo 9.- La convoca quien preside el consejo directivo, en los casos que señala el estatuto, cuando lo acuerde el consejo directivo o cuando lo solicite no menos de la décima parte de los miembros, con una anticipación de [modelo: siete] días, mediante esquela o aviso que indique la agenda, el lugar, el día y la hora.

Artículo 10.- Para la validez de sus reuniones se requiere, en primera convocatoria, la asistencia de más de la mitad de los miembros; en segunda convocatoria basta la presencia de cualquier número de miembros. Los acuerdos se adoptan con el voto de más de la mitad de los miembros concurrentes.

Artículo 11.- Para modificar el estatuto o disolver la organización se requiere, en primera convocatoria, la asistencia de más de la mitad de los miembros, y los acuerdos se adoptan con el voto de más de la mitad de los miembros concurrentes; en segunda convocatoria, los acuerdos se adoptan con los miembros que asistan y que representen no menos de la décima parte.

Artículo 12.- Cada miembro tiene un voto y puede hacerse representar por otro miembro mediante carta simple. Los acuerdos constan en el libro de actas.

# Título V. Consejo directivo

Artículo 13.- El consejo directivo dirige y administra la organización. Lo integran un presidente, un secretario y un tesorero [modelo: añade vocales u otros cargos], elegidos por la asamblea general por un periodo de [modelo: dos] años; pueden ser reelegidos.

Artículo 14.- Quien preside el consejo directivo representa legalmente a la organización ante toda clase de autoridades, incluidas la municipalidad y la SUNARP, convoca y preside la asamblea general y el consejo directivo. El secretario lleva los libros de actas y el padrón de miembros; el tesorero, las cuentas.

Artículo 15.- El consejo directivo sesiona con la mayoría de sus integrantes y adopta sus acuerdos por mayoría; en caso de empate decide quien lo preside.

El primer consejo directivo, elegido en la asamblea de fundación, es el siguiente:

$consejo_directivo

# Título VI. Disolución y liquidación

Artículo 16.- La organización se disuelve por acuerdo de la asamblea general o por las causas que señala la ley. Acordada la disolución, la asamblea nombra a los liquidadores; el patrimonio que quede se entrega a [modelo: nombra una organización sin fines de lucro de fines semejantes], y nunca se reparte entre los miembros.

# Disposición final

Lo no previsto en este estatuto se rige por el Código Civil y las demás normas aplicables.""",
)

DEFAULT_TEMPLATES = {
    "application_letter": APPLICATION_LETTER,
    "founding_minutes": FOUNDING_MINUTES,
    "board_minutes": BOARD_MINUTES,
    "member_list": MEMBER_LIST,
    "statute": STATUTE,
}
