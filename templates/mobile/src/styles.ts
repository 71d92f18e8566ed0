import { StyleSheet } from 'react-native';

export const styles = StyleSheet.create({
  page: { flex: 1, justifyContent: 'center', padding: 24, backgroundColor: '#f4f6f8' },
  card: { gap: 8, padding: 24, borderRadius: 12, backgroundColor: '#fff', maxWidth: 420, width: '100%', alignSelf: 'center' },
  title: { fontSize: 20, fontWeight: '600', marginBottom: 8 },
  label: { fontWeight: '500' },
  input: { borderWidth: 1, borderColor: '#ccd', borderRadius: 6, padding: 8 },
  error: { color: '#b00020' },
  gap: { height: 8 },
});
