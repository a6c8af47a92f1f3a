// A foreign SOAP stack against the simulator: the client JAX-WS wsimport generated from our WSDL,
// run by the JAX-WS reference implementation, drives a wallet's whole life, sealing every request
// and verifying every response seal with its own code (reflection over the generated classes).
//
//     java -cp JAXWS_JARS:GENERATED JaxwsClient http://127.0.0.1:7070 MERCHANT_ID KEY_VERSION SECRET_KEY

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.ws.BindingProvider;
import sips.cn.contract.office.wallet.v2.*;

public class JaxwsClient {
    private static final Set<String> UNSEALED = Set.of("keyVersion", "sealAlgorithm", "seal");
    private static String merchant, keyVersion, key;
    private static final String WALLET = "JAXWS-1";

    public static void main(String[] args) throws Exception {
        String base = args[0];
        merchant = args[1];
        keyVersion = args[2];
        key = args[3];
        WalletService service = new WalletService(new URL(base + "/services/v2/wallet?wsdl"));
        Wallet port = service.getWalletPort();
        ((BindingProvider) port).getRequestContext()
                .put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, base + "/services/v2/wallet");

        AddCardRequest card = request(new AddCardRequest(), "WR_WS_2.55");
        card.setCardNumber("4111111111111111");
        card.setCardExpiryDate("203012");
        card.setPaymentMeanAlias("a & <b>");
        check("addCard", "00", port.addCard(sealed(card)));
        AddCardRequest second = request(new AddCardRequest(), "WR_WS_2.55");
        second.setCardNumber("5555555555554444");
        second.setCardExpiryDate("203101");
        AddCardOutput added = check("addCard", "00", port.addCard(sealed(second)));
        card.setSeal(null);
        check("addCard", "94", port.addCard(sealed(card)));
        AddDirectDebitRequest debit = request(new AddDirectDebitRequest(), "WR_WS_2.55");
        debit.setIban("FR7630006000011234567890189");
        debit.setMandateId("JAXWS-M1");
        AddDirectDebitOutput mandate = check("addDirectDebit", "00", port.addDirectDebit(sealed(debit)));
        if (!"FR76#####################89".equals(mandate.getMaskedPan())) {
            fail("addDirectDebit: the IBAN is not masked as the bank does");
        }
        GetWalletDataOutput data = check("getWalletData", "00",
                port.getWalletData(sealed(request(new GetWalletDataRequest(), "WR_WS_2.49"))));
        List<WalletPaymentMeanData> means = data.getWalletPaymentMeanDataList();
        if (means.size() != 3 || !"a & <b>".equals(means.get(0).getPaymentMeanAlias())
                || !"JAXWS-M1".equals(means.get(2).getMandateId())) {
            fail("getWalletData: unexpected means");
        }
        UpdatePaymentMeanRequest update = request(new UpdatePaymentMeanRequest(), "WR_WS_2.49");
        update.setPaymentMeanId(added.getPaymentMeanId());
        update.setPaymentMeanAlias("work");
        check("updatePaymentMean", "00", port.updatePaymentMean(sealed(update)));
        GetPaymentMeanDataRequest one = request(new GetPaymentMeanDataRequest(), "WR_WS_2.49");
        one.setPaymentMeanId(added.getPaymentMeanId());
        GetPaymentMeanDataOutput shown = check("getPaymentMeanData", "00", port.getPaymentMeanData(sealed(one)));
        if (!"work".equals(shown.getWalletPaymentMeanData().getPaymentMeanAlias())) {
            fail("getPaymentMeanData: the alias did not change");
        }
        DeletePaymentMeanRequest delete = request(new DeletePaymentMeanRequest(), "WR_WS_2.49");
        delete.setPaymentMeanId("1");
        check("deletePaymentMean", "00", port.deletePaymentMean(sealed(delete)));
        check("signOff", "00", port.signOff(sealed(request(new SignOffRequest(), "WR_WS_2.51"))));
        check("getWalletData", "25",
                port.getWalletData(sealed(request(new GetWalletDataRequest(), "WR_WS_2.49"))));
        System.out.println("jaxws: the whole lifecycle passed");
    }

    /** The fields every request of this wallet carries, through the generated setters. */
    private static <T> T request(T request, String interfaceVersion) throws Exception {
        invoke(request, "setMerchantId", merchant);
        invoke(request, "setInterfaceVersion", interfaceVersion);
        invoke(request, "setKeyVersion", keyVersion);
        invoke(request, "setMerchantWalletId", WALLET);
        return request;
    }

    private static <T> T sealed(T request) throws Exception {
        invoke(request, "setSeal", seal(request));
        return request;
    }

    private static void invoke(Object target, String setter, String value) throws Exception {
        Method method = target.getClass().getMethod(setter, String.class);
        method.invoke(target, value);
    }

    /** Checks the response's seal and code; prints the step as the other interop clients do. */
    private static <T> T check(String operation, String expected, T output) throws Exception {
        String received = (String) field(output, "seal");
        byte[] computed = seal(output).getBytes(StandardCharsets.US_ASCII);
        if (received == null
                || !MessageDigest.isEqual(computed, received.getBytes(StandardCharsets.US_ASCII))) {
            fail(operation + ": the response seal does not verify");
        }
        Object code = field(output, "walletResponseCode");
        if (!expected.equals(code)) {
            fail(operation + ": code " + code + ", expected " + expected);
        }
        System.out.println("jaxws: " + operation + ": " + code + ", seal verified");
        return output;
    }

    private static String seal(Object message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        StringBuilder hex = new StringBuilder();
        for (byte b : mac.doFinal(sealData(message).getBytes(StandardCharsets.UTF_8))) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    /**
     * The string the seal is computed over: every non-empty text, fields sorted by name (a
     * generated class's own fields and its base class's), nested objects in their place, lists in
     * order.
     */
    private static String sealData(Object value) throws Exception {
        if (value == null) return "";
        if (value instanceof String) return (String) value;
        if (value instanceof Enum) return (String) value.getClass().getMethod("value").invoke(value);
        if (value instanceof List) {
            StringBuilder out = new StringBuilder();
            for (Object item : (List<?>) value) out.append(sealData(item));
            return out.toString();
        }
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = value.getClass(); c != Object.class; c = c.getSuperclass()) {
            fields.addAll(Arrays.asList(c.getDeclaredFields()));
        }
        fields.sort(Comparator.comparing(Field::getName));
        StringBuilder out = new StringBuilder();
        for (Field f : fields) {
            if (UNSEALED.contains(f.getName()) || java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
            f.setAccessible(true);
            out.append(sealData(f.get(value)));
        }
        return out.toString();
    }

    private static Object field(Object message, String name) throws Exception {
        for (Class<?> c = message.getClass(); c != Object.class; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(message);
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        return null;
    }

    private static void fail(String message) {
        System.err.println("jaxws: " + message);
        System.exit(1);
    }
}
